package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped {@code docker-compose.yml} (with {@code docker-compose.standins.yml}) scaled out to 2
 * Connect workers, 2 routers and 2 edges, under seeded faults while a writer writes 20,000 changes
 * of 20 tenants through MongoDB's port and one SSE client per tenant (okhttp-eventsource, each
 * connection to a random edge, hanging up now and then) reads its tenant's stream. Every fault kind
 * ({@link FaultKind}) happens at least 3 times, one at a time, each followed by recovery. Then
 * {@link DeliveryChecker} must find every tenant's ids 1..N exactly once in source order with the
 * written documents, the pipeline must have caught up within 30 s of the last recovery ({@link
 * CatchUp}), and Prometheus must have seen both routers and both edges (and Connect) up.
 *
 * <p>Run by {@code ./mvnw -B verify -Pcluster -pl cluster-test} after the images are built; missing
 * Docker, compose or images fail the test with their names. System properties (all optional):
 * {@code cluster.seed} (replays a run; the seed is logged and in the results), {@code
 * cluster.compose} ({@code docker-compose}), {@code cluster.composeDir} (the repository root),
 * {@code cluster.project} ({@code changecast-cluster}), {@code cluster.writes} (20000), {@code
 * cluster.tenants} (20), {@code cluster.writesPerSecond} (30: about 11 minutes of writes, so that
 * every fault meets writes in flight), {@code cluster.faultsPerKind} (3), {@code
 * cluster.pauseSeconds} (the router's session timeout in the compose files, else Kafka's default 45
 * s, plus 20 s), {@code cluster.mongoUri}, {@code cluster.kafka}, {@code cluster.prometheus}.
 * Results: {@code target/cluster-results.md}; every service's log: {@code target/logs/}.
 */
class ClusterFaultIT {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterFaultIT.class);

  private static final Duration CATCH_UP_BOUND = Duration.ofSeconds(30);
  private static final Duration START_LIMIT = Duration.ofMinutes(6);
  private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);
  private static final Duration POLL = Duration.ofMillis(500);

  private final long seed = Long.getLong("cluster.seed", System.nanoTime());
  private final int writeCount = Integer.getInteger("cluster.writes", 20_000);
  private final int tenantCount = Integer.getInteger("cluster.tenants", 20);
  private final double perSecond =
      Double.parseDouble(System.getProperty("cluster.writesPerSecond", "30"));
  private final int perKind = Integer.getInteger("cluster.faultsPerKind", 3);

  /** How long a router stays paused: set by the run (see {@link #pauseLength}). */
  private Duration pause;

  private final String mongoUri =
      System.getProperty("cluster.mongoUri", "mongodb://localhost:27017/?directConnection=true");
  private final String kafka = System.getProperty("cluster.kafka", "localhost:29092");
  private final URI prometheus =
      URI.create(System.getProperty("cluster.prometheus", "http://localhost:9090"));
  private final Path target = Path.of("target").toAbsolutePath();

  /** The edges clients may connect to now (IPs), kept current across edge restarts. */
  private final List<String> liveEdges = new CopyOnWriteArrayList<>();

  private ComposeStack stack;
  private Probes probes;
  private List<Workload.Write> writes;
  private MongoWriter writer;
  private Subscribers subscribers;
  private final List<String> failures = new ArrayList<>();

  /**
   * One injected fault: what, on which container, when it started, when the container was back and
   * healthy ({@code recoveredAt}), when every write acknowledged by then had been delivered ({@code
   * caughtUpAt}, 0 if never).
   */
  record Injected(
      FaultSchedule.Fault fault,
      String container,
      long startedAt,
      long recoveredAt,
      long caughtUpAt,
      String note) {

    Injected caughtUp(long at) {
      return new Injected(fault, container, startedAt, recoveredAt, at, note);
    }
  }

  @Test
  void scaledOutStackUnderFaultsDeliversEveryTenantsEventsExactlyOnceInOrder() throws Exception {
    Path composeDir =
        Path.of(System.getProperty("cluster.composeDir", Path.of("..").toString()))
            .toAbsolutePath()
            .normalize();
    String compose = System.getProperty("cluster.compose", "docker-compose");
    String project = System.getProperty("cluster.project", "changecast-cluster");
    LOG.info(
        "Cluster fault test: seed {} (replay with -Dcluster.seed={}), {} writes of {} tenants at"
            + " {}/s, {} faults per kind, compose `{}` in {}, project {}",
        seed,
        seed,
        writeCount,
        tenantCount,
        perSecond,
        perKind,
        compose,
        composeDir,
        project);
    stack = new ComposeStack(compose, composeDir, project, ComposeStack.SCALED_ENVIRONMENT);
    List<String> missing = stack.missing();
    assertThat(missing)
        .as(
            "The cluster test needs Docker, %s and the images (built by .ci/run before this"
                + " test); missing",
            compose)
        .isEmpty();

    pause = pauseLength();
    LOG.info("A paused router stays paused {} s", pause.toSeconds());
    FaultSchedule schedule =
        FaultSchedule.plan(seed, perKind, Duration.ofSeconds(1), Duration.ofSeconds(8));
    writes = Workload.generate(seed, writeCount, tenantCount);
    List<String> tenants = IntStream.range(0, tenantCount).mapToObj(Workload::tenant).toList();

    Path logs = target.resolve("logs");
    stack.downQuietly(); // a previous run's leftovers, same project name
    try {
      stack.up(ComposeStack.SCALE);
      probes = new Probes(kafka, prometheus);
      awaitStackReady();
      long runStart = System.currentTimeMillis();

      subscribers = new Subscribers(tenants, () -> List.copyOf(liveEdges), seed);
      subscribers.start();
      writer = new MongoWriter(mongoUri, writes, perSecond);
      CompletableFuture<Void> writing = CompletableFuture.runAsync(writer);
      int warmUp = Math.min(writeCount, 200);
      await("warm-up: the first " + warmUp + " writes delivered")
          .atMost(Duration.ofMinutes(3))
          .pollInterval(POLL)
          .failFast("the writer failed", writing::isCompletedExceptionally)
          .until(() -> writer.done() >= warmUp && totalReceived(subscribers) >= warmUp);
      subscribers.startHangups(seed + 1);

      List<Injected> injected = new ArrayList<>();
      int duringWrites = 0;
      long recoveredAt = System.currentTimeMillis();
      for (FaultSchedule.Fault fault : schedule.faults()) {
        TimeUnit.MILLISECONDS.sleep(fault.before().toMillis()); // the schedule's quiet time
        if (!writing.isDone()) {
          duringWrites++;
        }
        Injected done;
        try {
          done = inject(fault);
        } catch (ConditionTimeoutException | IllegalStateException e) {
          recoveredAt = System.currentTimeMillis();
          failures.add(
              "fault %d (%s) not recovered, no further faults: %s"
                  .formatted(fault.index(), fault.kind().label, e.getMessage()));
          LOG.error("Fault {} not recovered; stopping the faults", fault.index(), e);
          break;
        }
        recoveredAt = done.recoveredAt();
        int acknowledged = writer.done();
        try {
          await("every write acknowledged by the recovery (" + acknowledged + ") delivered")
              .atMost(RECOVERY_LIMIT)
              .pollInterval(POLL)
              .until(() -> caughtUpWith(acknowledged));
          done = done.caughtUp(System.currentTimeMillis());
        } catch (ConditionTimeoutException e) {
          failures.add(
              "after fault %d (%s) the pipeline did not catch up with the %d writes acknowledged"
                      .formatted(fault.index(), fault.kind().label, acknowledged)
                  + " by its recovery within %d s; no further faults"
                      .formatted(RECOVERY_LIMIT.toSeconds()));
        }
        injected.add(done);
        LOG.info(
            "Fault {}/{} {} on {}: healthy after {} ms, caught up after {}{}; writes acknowledged"
                + " {}, events received {}",
            fault.index(),
            schedule.faults().size(),
            fault.kind().label,
            done.container(),
            done.recoveredAt() - done.startedAt(),
            done.caughtUpAt() == 0 ? "never" : (done.caughtUpAt() - done.startedAt()) + " ms",
            done.note().isEmpty() ? "" : " (" + done.note() + ")",
            writer.done(),
            totalReceived(subscribers));
        if (done.caughtUpAt() == 0) {
          break;
        }
      }
      subscribers.stopHangups();
      if (!failures.isEmpty()) {
        // The pipeline is broken: writing on proves nothing more. The check covers what was
        // acknowledged.
        writer.stop();
      }

      try {
        writing.get(
            (long) ((writeCount - writer.done()) / perSecond * 1000) + 120_000,
            TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add("the writer failed: " + e.getCause());
        LOG.error("writer failed", e.getCause());
      }
      if (writer.done() < writeCount) {
        failures.add(
            "the writer was stopped after %d of %d writes".formatted(writer.done(), writeCount));
      }
      // What MongoDB acknowledged: the writer writes in order, one at a time.
      Map<String, List<Workload.Write>> byTenant =
          Workload.byTenant(writes.subList(0, writer.done()));
      long lastAck =
          writer.acknowledgedAt().values().stream()
              .mapToLong(Long::longValue)
              .max()
              .orElse(recoveredAt);
      try {
        await("every acknowledged write delivered")
            .atMost(
                Duration.ofMillis(
                    Math.max(
                        1_000,
                        Math.max(recoveredAt, lastAck)
                            + CATCH_UP_BOUND.toMillis()
                            + 60_000
                            - System.currentTimeMillis())))
            .pollInterval(POLL)
            .until(() -> allDelivered(subscribers, byTenant));
      } catch (ConditionTimeoutException e) {
        LOG.warn("Not every write was delivered; checking what arrived");
      }
      List<String> diagnostics = whereTheMissingEventsAre(byTenant);
      // Late copies (a duplicate would come after the original): the received counts must stay
      // still for 5 s before the check.
      long[] last = {totalReceived(subscribers)};
      await("no more events arriving")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(POLL)
          .during(Duration.ofSeconds(5))
          .until(
              () -> {
                long now = totalReceived(subscribers);
                boolean still = now == last[0];
                last[0] = now;
                return still;
              });

      DeliveryChecker.Report report = DeliveryChecker.check(byTenant, subscribers.received());
      OptionalLong catchUp =
          CatchUp.maxMillis(writer.acknowledgedAt(), report.firstDelivered(), recoveredAt);
      List<String> prometheusSeen = checkPrometheus(runStart);

      Map<FaultKind, Integer> byKind = new EnumMap<>(FaultKind.class);
      injected.forEach(i -> byKind.merge(i.fault().kind(), 1, Integer::sum));
      for (FaultKind kind : FaultKind.values()) {
        if (byKind.getOrDefault(kind, 0) < 3) {
          failures.add("only %d × %s".formatted(byKind.getOrDefault(kind, 0), kind.label));
        }
      }
      if (!report.clean()) {
        failures.add(
            "delivery: %d lost, %d duplicated, %d gaps, %d out of order, %d mismatched, %d control"
                    .formatted(
                        report.lost(),
                        report.duplicated(),
                        report.gaps(),
                        report.outOfOrder(),
                        report.mismatched(),
                        report.control())
                + "; first problems per tenant: "
                + DeliveryChecker.problems(report).entrySet().stream()
                    .map(
                        p ->
                            p.getKey()
                                + ": "
                                + p.getValue().subList(0, Math.min(3, p.getValue().size())))
                    .toList());
      }
      if (catchUp.isEmpty() || catchUp.getAsLong() > CATCH_UP_BOUND.toMillis()) {
        failures.add(
            "not caught up within %d s of the last recovery (max %s)"
                .formatted(
                    CATCH_UP_BOUND.toSeconds(),
                    catchUp.isPresent() ? catchUp.getAsLong() + " ms" : "never"));
      }
      ResultsTable.Summary summary =
          new ResultsTable.Summary(
              seed,
              byKind,
              duringWrites,
              report,
              catchUp,
              CATCH_UP_BOUND,
              prometheusSeen,
              List.copyOf(failures));
      String table = ResultsTable.markdown(summary);
      StringBuilder details = new StringBuilder(table);
      details.append(
          "\n## Faults\n\n| # | fault | container | healthy after | all acknowledged writes"
              + " delivered after | note |\n");
      details.append("| --- | --- | --- | --- | --- | --- |\n");
      for (Injected i : injected) {
        details.append(
            "| %d | %s | %s | %.1f s | %s | %s |\n"
                .formatted(
                    i.fault().index(),
                    i.fault().kind().label,
                    i.container(),
                    (i.recoveredAt() - i.startedAt()) / 1000.0,
                    i.caughtUpAt() == 0
                        ? "never"
                        : "%.1f s".formatted((i.caughtUpAt() - i.startedAt()) / 1000.0),
                    i.note()));
      }
      details.append(
          "\nClients: %d connections opened, %d random hang-ups.\n"
              .formatted(subscribers.opens(), subscribers.hangups()));
      if (!diagnostics.isEmpty()) {
        details.append(
            "\n## Where the undelivered events are\n\nPer tenant whose client is short: its last id,"
                + " and what each edge's `/events/recent` holds after it.\n\n");
        diagnostics.forEach(d -> details.append("- ").append(d).append('\n'));
      }
      Files.createDirectories(target);
      Files.writeString(
          target.resolve("cluster-results.md"), details.toString(), StandardCharsets.UTF_8);
      System.out.println(details);
      LOG.info("Results:\n{}", details);
      assertThat(failures).as("cluster fault test failures (seed %d)", seed).isEmpty();
    } finally {
      if (subscribers != null) {
        subscribers.close();
      }
      if (writer != null) {
        writer.stop();
      }
      if (probes != null) {
        probes.close();
      }
      stack.downKeepingLogs(logs);
    }
  }

  /**
   * {@code cluster.pauseSeconds}, else the router's session timeout from the compose files (Kafka's
   * default 45 s when they set none) plus 20 s: long enough for the group to evict the paused
   * router and move its task, so it wakes as a zombie.
   */
  private Duration pauseLength() {
    Integer seconds = Integer.getInteger("cluster.pauseSeconds");
    if (seconds != null) {
      return Duration.ofSeconds(seconds);
    }
    long sessionMs = stack.routerSessionTimeoutMs().orElse(45_000);
    return Duration.ofMillis(sessionMs).plusSeconds(20);
  }

  private void awaitStackReady() {
    await("Kafka up").atMost(START_LIMIT).pollInterval(POLL).until(probes::kafkaUp);
    await("2 routers ready, one holding the active task")
        .atMost(START_LIMIT)
        .pollInterval(POLL)
        .until(
            () ->
                stack.containers("router").stream().filter(probes::routerReady).count() == 2
                    && activeRouter().isPresent());
    await("2 edges ready")
        .atMost(START_LIMIT)
        .pollInterval(POLL)
        .until(() -> stack.containers("edge").stream().filter(probes::edgeReady).count() == 2);
    await("2 Connect workers up and the connector's task running")
        .atMost(START_LIMIT)
        .pollInterval(POLL)
        .until(this::connectHealthy);
    stack.containers("edge").forEach(c -> liveEdges.add(c.ip()));
    LOG.info(
        "Stack ready: routers {}, edges {}, connect {}; router group {}",
        ips("router"),
        liveEdges,
        ips("connect"),
        probes.routerGroupSummary());
  }

  private List<String> ips(String service) {
    return stack.containers(service).stream().map(c -> c.shortId() + "@" + c.ip()).toList();
  }

  private boolean connectHealthy() {
    List<ComposeStack.Container> workers = stack.containers("connect");
    return workers.size() == 2 && workers.stream().allMatch(probes::connectorRunning);
  }

  /** The router container holding the active task, by its IP in the router group. */
  private Optional<ComposeStack.Container> activeRouter() {
    Optional<String> host = probes.activeRouterHost();
    if (host.isEmpty()) {
      return Optional.empty();
    }
    return stack.containers("router").stream()
        .filter(c -> c.running() && c.ip().equals(host.get()))
        .findFirst();
  }

  private ComposeStack.Container awaitActiveRouter() {
    return await("a router holding the active task")
        .atMost(RECOVERY_LIMIT)
        .pollInterval(POLL)
        .until(this::activeRouter, Optional::isPresent)
        .orElseThrow();
  }

  private Injected inject(FaultSchedule.Fault fault) {
    LOG.info("Fault {}: {}", fault.index(), fault.kind().label);
    return switch (fault.kind()) {
      case ROUTER_KILL -> {
        ComposeStack.Container router = awaitActiveRouter();
        long start = System.currentTimeMillis();
        stack.kill(router);
        stack.start(router);
        awaitRouterBack(router);
        yield new Injected(fault, name(router), start, System.currentTimeMillis(), 0, "");
      }
      case EDGE_KILL -> {
        List<ComposeStack.Container> edges = stack.containers("edge");
        ComposeStack.Container edge = edges.get(fault.target() % edges.size());
        long start = System.currentTimeMillis();
        liveEdges.remove(edge.ip());
        stack.kill(edge);
        stack.start(edge);
        await("edge " + name(edge) + " ready again")
            .atMost(RECOVERY_LIMIT)
            .pollInterval(POLL)
            .until(() -> probes.edgeReady(stack.inspect(edge.id())));
        String ip = stack.inspect(edge.id()).ip();
        liveEdges.add(ip);
        yield new Injected(
            fault,
            name(edge),
            start,
            System.currentTimeMillis(),
            0,
            ip.equals(edge.ip()) ? "" : "new IP " + ip);
      }
      case CONNECT_KILL -> {
        ComposeStack.Container worker = awaitTaskWorker();
        long start = System.currentTimeMillis();
        stack.kill(worker);
        stack.start(worker);
        await("Connect worker " + name(worker) + " back and the task running")
            .atMost(RECOVERY_LIMIT)
            .pollInterval(POLL)
            .until(this::connectHealthy);
        String now = taskWorkerName().orElse("?");
        yield new Injected(
            fault, name(worker), start, System.currentTimeMillis(), 0, "task now on " + now);
      }
      case KAFKA_RESTART -> {
        ComposeStack.Container broker = stack.containers("kafka").get(0);
        long start = System.currentTimeMillis();
        stack.restart(broker);
        await("Kafka back, routers, edges and the connector healthy")
            .atMost(RECOVERY_LIMIT)
            .pollInterval(POLL)
            .until(
                () ->
                    probes.kafkaUp()
                        && stack.containers("router").stream().filter(probes::routerReady).count()
                            == 2
                        && activeRouter().isPresent()
                        && stack.containers("edge").stream().filter(probes::edgeReady).count() == 2
                        && connectHealthy());
        yield new Injected(fault, name(broker), start, System.currentTimeMillis(), 0, "");
      }
      case ROUTER_PAUSE -> {
        ComposeStack.Container router = awaitActiveRouter();
        long start = System.currentTimeMillis();
        stack.pause(router);
        String note;
        try {
          ComposeStack.Container successor =
              await("the other router takes the active task over")
                  .atMost(pause.plus(Duration.ofMinutes(1)))
                  .pollInterval(POLL)
                  .until(
                      this::activeRouter, a -> a.isPresent() && !a.get().id().equals(router.id()))
                  .orElseThrow();
          note =
              "%s took over after %.1f s"
                  .formatted(name(successor), (System.currentTimeMillis() - start) / 1000.0);
        } catch (ConditionTimeoutException e) {
          note = "no takeover while paused";
          failures.add("pause of " + name(router) + ": the other router never took over");
        }
        long remaining = start + pause.toMillis() - System.currentTimeMillis();
        if (remaining > 0) {
          try {
            TimeUnit.MILLISECONDS.sleep(remaining); // the fault's length: paused this long
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        long pausedFor = System.currentTimeMillis() - start;
        stack.unpause(router);
        awaitRouterBack(router);
        yield new Injected(
            fault,
            name(router),
            start,
            System.currentTimeMillis(),
            0,
            note + ", paused %.1f s".formatted(pausedFor / 1000.0));
      }
    };
  }

  private void awaitRouterBack(ComposeStack.Container router) {
    await("router " + name(router) + " ready again and a router holding the active task")
        .atMost(RECOVERY_LIMIT)
        .pollInterval(POLL)
        .until(() -> probes.routerReady(stack.inspect(router.id())) && activeRouter().isPresent());
  }

  private ComposeStack.Container awaitTaskWorker() {
    return await("the Connect worker running the task")
        .atMost(RECOVERY_LIMIT)
        .pollInterval(POLL)
        .until(this::taskWorker, Optional::isPresent)
        .orElseThrow();
  }

  /** The worker container whose hostname is the task's {@code worker_id} host. */
  private Optional<ComposeStack.Container> taskWorker() {
    List<ComposeStack.Container> workers = stack.containers("connect");
    for (ComposeStack.Container asked : workers) {
      Optional<String> workerId = probes.taskWorker(asked);
      if (workerId.isPresent()) {
        String host = workerId.get().replaceFirst(":\\d+$", "");
        return workers.stream()
            .filter(c -> c.running() && (c.hostname().equals(host) || c.ip().equals(host)))
            .findFirst();
      }
    }
    return Optional.empty();
  }

  private Optional<String> taskWorkerName() {
    return taskWorker().map(ClusterFaultIT::name);
  }

  private static String name(ComposeStack.Container c) {
    return c.name() + " (" + c.shortId() + ")";
  }

  /**
   * For each tenant whose client has fewer ids than writes: the client's largest id, and per live
   * edge the ids it holds after it ({@code /events/recent}) — whether the events stopped before the
   * edges or between an edge and the client.
   */
  private List<String> whereTheMissingEventsAre(Map<String, List<Workload.Write>> byTenant) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, List<Workload.Write>> e : byTenant.entrySet()) {
      Subscribers.Client client = subscribers.clients().get(e.getKey());
      if (client.distinctIds() >= e.getValue().size()) {
        continue;
      }
      long last =
          client.snapshot().stream()
              .filter(d -> "message".equals(d.eventName()))
              .mapToLong(d -> Long.parseLong(d.lastEventId()))
              .max()
              .orElse(0);
      StringBuilder line =
          new StringBuilder(
              "%s: %d writes, client's last id %d, %d connections opened, %d stream errors"
                  .formatted(
                      e.getKey(),
                      e.getValue().size(),
                      last,
                      client.opens.get(),
                      client.errors.get()));
      for (String edge : liveEdges) {
        String url =
            "http://%s:%d/v1/tenants/%s/events/recent?after=%d&limit=1000"
                .formatted(edge, Probes.EDGE_PORT, e.getKey(), last);
        String held =
            probes
                .json(url)
                .map(
                    body -> {
                      com.fasterxml.jackson.databind.JsonNode events =
                          body.isArray() ? body : body.path("events");
                      String latest = ", its latest id " + body.path("latestId").asText();
                      return events.size() == 0
                          ? "none" + latest
                          : events.size()
                              + " events (ids "
                              + events.get(0).path("id").asText()
                              + ".."
                              + events.get(events.size() - 1).path("id").asText()
                              + ")"
                              + latest;
                    })
                .orElse("no answer");
        line.append("; edge ").append(edge).append(" holds after it: ").append(held);
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** Every one of the first {@code acknowledged} writes reached its tenant's client. */
  private boolean caughtUpWith(int acknowledged) {
    Map<String, Integer> due = new java.util.HashMap<>();
    writes.subList(0, acknowledged).forEach(w -> due.merge(w.tenant(), 1, Integer::sum));
    return due.entrySet().stream()
        .allMatch(e -> subscribers.clients().get(e.getKey()).distinctIds() >= e.getValue());
  }

  private static long totalReceived(Subscribers subscribers) {
    return subscribers.clients().values().stream().mapToLong(Subscribers.Client::count).sum();
  }

  private static boolean allDelivered(
      Subscribers subscribers, Map<String, List<Workload.Write>> byTenant) {
    return byTenant.entrySet().stream()
        .allMatch(
            e -> {
              Subscribers.Client client = subscribers.clients().get(e.getKey());
              return client != null && client.distinctIds() >= e.getValue().size();
            });
  }

  /**
   * Prometheus (its query API) must have seen both routers, both edges and the Connect workers up
   * during the run: per job, the number of scrape targets whose {@code up} was 1 at some point.
   */
  private List<String> checkPrometheus(long runStart) {
    long window = (System.currentTimeMillis() - runStart) / 1000 + 60;
    Map<String, Integer> want =
        Map.of("changecast-router", 2, "changecast-edge", 2, "changecast-connect", 2);
    List<String> seen = new ArrayList<>();
    for (String job : List.of("changecast-router", "changecast-edge", "changecast-connect")) {
      Map<String, Double> up;
      try {
        up = probes.query("max_over_time(up{job=\"%s\"}[%ds])".formatted(job, window));
      } catch (RuntimeException e) {
        failures.add("Prometheus query for " + job + " failed: " + e.getMessage());
        seen.add(job + ": query failed");
        continue;
      }
      long upCount = up.values().stream().filter(v -> v == 1.0).count();
      seen.add("%s: %d of %d targets up %s".formatted(job, upCount, up.size(), up.keySet()));
      if (upCount < want.get(job)) {
        failures.add(
            "Prometheus saw %d %s targets up, expected %d: %s"
                .formatted(upCount, job, want.get(job), up));
      }
    }
    return seen;
  }
}
