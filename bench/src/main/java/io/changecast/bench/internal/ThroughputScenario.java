package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import io.changecast.bench.Mode;
import io.changecast.router.ChangecastRouter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throughput, two ways. <b>Router alone</b>: raw change events as the connector writes them are
 * pre-produced to a fresh raw topic (one partition, as the connector's), then a fresh router is
 * started on it and a read-committed consumer counts the routed envelopes: the drain rate between
 * 10% and 90% of the backlog is the router's sustained maximum. <b>Whole pipeline</b>: inserts into
 * MongoDB at stepped rates while one SSE subscriber per tenant counts deliveries; a rate is kept up
 * with when the writer achieved it, the backlog at the last write was at most {@link #MAX_LAG} of
 * writes (the lag stayed bounded instead of growing with the step) and the subscribers caught up
 * within {@link #CATCH_UP} of the last write.
 */
public final class ThroughputScenario {

  /**
   * Router-alone backlog size and the floor apps drained beside the router; pipeline rates, step
   * length and the unmeasured pipeline warm-up before the first step (zero: none); {@code
   * contenders}: when not empty, only these router-alone contenders run, in this order, and no
   * pipeline part (A/B runs of the router).
   */
  public record Plan(
      int routerRecords,
      List<StreamsFloorApp.Kind> floors,
      List<Integer> pipelineRates,
      Duration step,
      Duration pipelineWarmUp,
      List<String> contenders,
      String routerBClassPath) {

    public Plan {
      contenders = List.copyOf(contenders);
    }

    /**
     * This plan running only {@code chosen} of the router-alone part, in this order (none:
     * unchanged); a contender named more than once runs again ({@code router-2}, ...). {@value
     * #ROUTER_B} is the router on {@code routerBClassPath} (another build's class path), for an A/B
     * run of two builds on one backlog.
     */
    public Plan onlyRouterAlone(List<String> chosen, String routerBClassPath) {
      if (chosen.isEmpty()) {
        return this;
      }
      List<String> known =
          new ArrayList<>(ThroughputScenario.contenders(List.of(StreamsFloorApp.Kind.values())));
      known.add(ROUTER_B);
      for (String contender : chosen) {
        if (!known.contains(contender)) {
          throw new IllegalArgumentException(
              "--router-alone takes "
                  + String.join(", ", known)
                  + "; got "
                  + String.join(",", chosen));
        }
      }
      if (chosen.contains(ROUTER_B) && routerBClassPath.isEmpty()) {
        throw new IllegalArgumentException(
            "--router-alone " + ROUTER_B + " needs --router-b-classpath CP");
      }
      return new Plan(
          routerRecords, floors, pipelineRates, step, pipelineWarmUp, chosen, routerBClassPath);
    }
  }

  /**
   * The pipeline warm-up's rate. The router alone and the floors run in JVMs of their own, so the
   * harness JVM's connector, router and edge code is cold when the pipeline starts: without a
   * warm-up its JIT compiled 18-24 s inside each 20 s step.
   */
  static final int PIPELINE_WARMUP_RATE = 2_000;

  private static final Logger log = LoggerFactory.getLogger(ThroughputScenario.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Duration CATCH_UP = Duration.ofSeconds(5);

  /**
   * The backlog a kept-up step may have at its last write, in time of writes at its rate: a lag
   * growing through a 20 s step (7.5k writes/s measured 3k after 1 s and 17.6k at the end) is
   * caught up within {@link #CATCH_UP} yet would not be in a longer run.
   */
  private static final Duration MAX_LAG = Duration.ofSeconds(1);

  private static final Duration ROUTER_TIMEOUT = Duration.ofSeconds(300);
  private static final int TENANTS = 100;
  private static final int PIPELINE_TENANTS = 8;
  private static final long TICK_NANOS = 10_000_000L;
  private static final long SAMPLE_NANOS = 250_000_000L;
  private static final int EVENTS_PARTITIONS = 6; // the router's events.partitions default

  /** Below this backlog no steady state is reached: only the parse + envelope floor runs. */
  private static final int ALL_FLOORS_FROM = 100_000;

  private final String bootstrapServers;
  private final Path workDir;
  private final URI edge;
  private final MongoCollection<Document> collection;

  public ThroughputScenario(
      String bootstrapServers, Path workDir, URI edge, MongoCollection<Document> collection) {
    this.bootstrapServers = bootstrapServers;
    this.workDir = workDir;
    this.edge = edge;
    this.collection = collection;
  }

  /**
   * quick: 300k records, every floor; 500 and 1k writes/s for 3 s. full: 2M records, every floor;
   * after 120 s of unmeasured pipeline at 2k writes/s, 1k, 2k, 5k, 7.5k, 10k, 20k, 30k writes/s for
   * 20 s each, up to the first rate not kept up with. An override of the events (smoke tests) runs
   * every floor from 100k records, else only parse + envelope.
   */
  public static Plan plan(Mode mode, int eventsOverride) {
    List<StreamsFloorApp.Kind> all = List.of(StreamsFloorApp.Kind.values());
    if (eventsOverride > 0) {
      return new Plan(
          eventsOverride,
          eventsOverride >= ALL_FLOORS_FROM ? all : List.of(StreamsFloorApp.Kind.PARSE_ENVELOPE),
          List.of(eventsOverride),
          Duration.ofSeconds(1),
          Duration.ZERO,
          List.of(),
          "");
    }
    return mode == Mode.QUICK
        ? new Plan(
            300_000, all, List.of(500, 1_000), Duration.ofSeconds(3), Duration.ZERO, List.of(), "")
        : new Plan(
            2_000_000,
            all,
            List.of(1_000, 2_000, 5_000, 7_500, 10_000, 20_000, 30_000),
            Duration.ofSeconds(20),
            Duration.ofSeconds(120),
            List.of(),
            "");
  }

  /**
   * Runs both parts: {@code {routerAlone: {...}, pipeline: {...}}}; only the first when the plan
   * names its contenders.
   */
  public ObjectNode run(Plan plan) {
    ObjectNode result = JSON.objectNode();
    List<String> contenders =
        plan.contenders().isEmpty() ? contenders(plan.floors()) : plan.contenders();
    result.set(
        "routerAlone", routerAlone(plan.routerRecords(), contenders, plan.routerBClassPath()));
    if (plan.contenders().isEmpty()) {
      result.set("pipeline", pipeline(plan));
    }
    return result;
  }

  private ObjectNode routerAlone(int records, List<String> contenders, String routerBClassPath) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String raw = "benchraw." + id + ".app.orders";
    EdgeTarget.createTopic(bootstrapServers, raw, 1);
    long produceStart = System.nanoTime();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.BATCH_SIZE_CONFIG, "262144"),
            new StringSerializer(),
            new StringSerializer())) {
      long wall = System.currentTimeMillis();
      for (int i = 0; i < records; i++) {
        String oid = "%024x".formatted(i);
        producer.send(new ProducerRecord<>(raw, key(oid), insert(id, i, oid, wall)));
      }
      producer.flush();
    }
    double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
    log.info("throughput: {} raw records in {} s; draining them", records, produceSeconds);

    ObjectNode result = JSON.objectNode();
    result.put("records", records);
    result.put("rawTopicPartitions", 1);
    result.put("preProduceSeconds", LatencyScenario.round(produceSeconds));
    result.put(
        "method",
        "each contender drains the same backlog in a JVM of its own ("
            + String.join(" ", CHILD_JVM)
            + ") on a fresh application id; "
            + SteadyRate.METHOD
            + "; cpuMicrosPerEvent = the child JVM's CPU (/proc) over the steady window per event");
    ObjectNode floors = result.putObject("floors");
    ObjectNode router = null;
    Map<String, Integer> runs = new HashMap<>();
    for (String contender : contenders) {
      int n = runs.merge(contender, 1, Integer::sum);
      String name = n == 1 ? contender : contender + "-" + n;
      ObjectNode run = drain(contender, name, id, raw, records, routerBClassPath);
      if (name.equals(ROUTER)) {
        router = run;
      } else if (isFloor(contender)) {
        floors.set(name, run);
      } else {
        result.set(name, run);
      }
    }
    if (router == null) { // an A/B run without the router itself
      return result;
    }
    result.set("router", router);
    // the summary's and earlier readers' figure: the router's steady rate
    result.put("eventsPerSecond", router.path("eventsPerSecond").asDouble());
    result.put("complete", router.path("complete").asBoolean());
    ObjectNode ratios = result.putObject("routerToFloor");
    floors
        .fields()
        .forEachRemaining(
            f -> {
              double floor = f.getValue().path("eventsPerSecond").asDouble();
              ratios.put(
                  f.getKey(),
                  floor > 0
                      ? Math.round(result.path("eventsPerSecond").asDouble() / floor * 1000)
                          / 1000.0
                      : 0);
            });
    ObjectNode goal = result.putObject("goal");
    goal.put("eventsPerSecondAtLeast", GOAL_EVENTS_PER_SECOND);
    goal.put("parseEnvelopeRatioAtLeast", GOAL_PARSE_RATIO);
    goal.put(
        "met",
        result.path("eventsPerSecond").asDouble() >= GOAL_EVENTS_PER_SECOND
            && ratios.path(StreamsFloorApp.Kind.PARSE_ENVELOPE.id()).asDouble()
                >= GOAL_PARSE_RATIO);
    return result;
  }

  /** The router as deployed, among the floors on one backlog. */
  private static final String ROUTER = "router";

  /**
   * The router with {@code tenant.strategy=database} (every event of the backlog is tenant {@code
   * app}): it writes no {@code document-tenants} entry, so it shows what that store costs.
   */
  private static final String ROUTER_DATABASE_TENANT = "router-database-tenant";

  /** Whether {@code contender} is a floor app ({@code router-writes} is one, not a router). */
  static boolean isFloor(String contender) {
    return Arrays.stream(StreamsFloorApp.Kind.values()).anyMatch(k -> k.id().equals(contender));
  }

  /** The floors in {@code kinds}' order, the router after the first two. */
  static List<String> contenders(List<StreamsFloorApp.Kind> kinds) {
    List<String> contenders = new ArrayList<>();
    kinds.forEach(kind -> contenders.add(kind.id()));
    contenders.add(Math.min(2, contenders.size()), ROUTER);
    if (kinds.size() > 1) { // the router on a namespace strategy: no document store written
      contenders.add(ROUTER_DATABASE_TENANT);
    }
    return contenders;
  }

  /** The JVM options of every contender's JVM. */
  private static final List<String> CHILD_JVM = List.of("-Xmx1g");

  static final double GOAL_EVENTS_PER_SECOND = 60_000;
  static final double GOAL_PARSE_RATIO = 0.5;

  /** The router of another build ({@code --router-b-classpath}), for A/B runs. */
  static final String ROUTER_B = "router-b";

  /** Runs one contender on the backlog in a child JVM and measures its drain. */
  private ObjectNode drain(
      String contender, String name, String id, String raw, int records, String routerBClassPath) {
    String appId = "bench-" + name + "-" + id;
    String output = "bench.out." + name + "." + id;
    Path stateDir = workDir.resolve("state-" + appId);
    List<String> command;
    if (contender.startsWith(ROUTER)) {
      command =
          ChildProcess.java(
              contender.equals(ROUTER_B) ? routerBClassPath : System.getProperty("java.class.path"),
              CHILD_JVM,
              ChangecastRouter.class.getName(),
              "--config",
              routerConfig(id, appId, output, stateDir, contender.equals(ROUTER_DATABASE_TENANT))
                  .toString());
    } else {
      EdgeTarget.createTopic(bootstrapServers, output, EVENTS_PARTITIONS);
      command =
          ChildProcess.java(
              CHILD_JVM,
              StreamsFloorApp.class.getName(),
              contender,
              bootstrapServers,
              raw,
              output,
              appId,
              stateDir.toString());
    }
    TopicPartition input = new TopicPartition(raw, 0);
    // {nanos since start, records committed, child CPU ns}
    List<long[]> samples = new ArrayList<>();
    ObjectNode run = JSON.objectNode();
    run.set("loadAverageStart", Environment.loadAverage());
    long start = System.nanoTime();
    try (ChildProcess child = ChildProcess.start(name, command, workDir.resolve(appId + ".log"));
        Admin admin =
            Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      long deadline = start + ROUTER_TIMEOUT.toNanos();
      long done = 0;
      while (done < records && System.nanoTime() < deadline && child.alive()) {
        LockSupport.parkNanos(SAMPLE_NANOS);
        done = committed(admin, appId, input);
        samples.add(new long[] {System.nanoTime() - start, done, child.cpuNanos()});
      }
      run.put("complete", done >= records);
      run.put("alive", child.alive());
    }
    run.set("loadAverageEnd", Environment.loadAverage());
    if (samples.isEmpty() || samples.get(samples.size() - 1)[1] == 0) {
      run.put("eventsPerSecond", 0);
      return run;
    }
    SteadyRate steady = SteadyRate.of(samples, records);
    long[] from = samples.stream().filter(x -> x[0] == steady.startNanos()).findFirst().get();
    long[] to = samples.stream().filter(x -> x[0] == steady.endNanos()).findFirst().get();
    run.put("eventsPerSecond", LatencyScenario.round(steady.eventsPerSecond()));
    run.put("steady", steady.steady());
    run.put("warmUpEndSeconds", LatencyScenario.round(steady.warmUpEndSeconds()));
    run.put("warmUpRecords", steady.warmUpRecords());
    run.put(
        "startToFirstCommittedSeconds",
        LatencyScenario.round(samples.stream().filter(x -> x[1] > 0).findFirst().get()[0] / 1e9));
    long[] p10 = SteadyRate.at(samples, records / 10);
    long[] p90 = SteadyRate.at(samples, records - records / 10);
    run.put(
        "eventsPerSecond10To90",
        p90[0] > p10[0] ? LatencyScenario.round((p90[1] - p10[1]) / ((p90[0] - p10[0]) / 1e9)) : 0);
    if (to[1] > from[1] && from[2] >= 0 && to[2] >= 0) {
      run.put(
          "cpuMicrosPerEvent", LatencyScenario.round((to[2] - from[2]) / 1e3 / (to[1] - from[1])));
    }
    ArrayNode perSecond = run.putArray("committedBySecond");
    long nextSecond = 0;
    for (long[] sample : samples) {
      if (sample[0] >= nextSecond) {
        perSecond.addArray().add(LatencyScenario.round(sample[0] / 1e9)).add(sample[1]);
        nextSecond = sample[0] + 1_000_000_000L;
      }
    }
    log.info(
        "throughput: {} drained at {}/s steady ({} after {} s of warm-up)",
        name,
        run.path("eventsPerSecond").asDouble(),
        steady.steady() ? "steady" : "not steady",
        run.path("warmUpEndSeconds").asDouble());
    return run;
  }

  private static long committed(Admin admin, String group, TopicPartition partition) {
    try {
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get()
              .get(partition);
      return offset == null ? 0 : offset.offset();
    } catch (Exception e) {
      return 0; // the group does not exist yet
    }
  }

  private Path routerConfig(
      String id, String appId, String events, Path stateDir, boolean databaseTenant) {
    Properties p = new Properties();
    if (databaseTenant) {
      p.setProperty("tenant.strategy", "database");
    }
    p.setProperty("bootstrap.servers", bootstrapServers);
    p.setProperty("application.id", appId);
    p.setProperty("state.dir", stateDir.toString());
    p.setProperty("raw.topic.pattern", "benchraw\\." + id + "\\..+");
    p.setProperty("events.topic", events);
    p.setProperty("dlq.topic", "bench.dlq." + id);
    p.setProperty("ingest.topic", "bench.ingest." + id);
    Path file = workDir.resolve(appId + ".properties");
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, "bench router alone");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static String key(String oid) {
    return "{\"_id\": {\"$oid\": \"" + oid + "\"}}";
  }

  /** An insert as the MongoSourceConnector writes it (DefaultJson), with a unique resume token. */
  private static String insert(String run, int i, String oid, long wallMillis) {
    return ("{\"_id\": {\"_data\": \"82%s%016X\"}, \"operationType\": \"insert\","
            + " \"clusterTime\": {\"$timestamp\": {\"t\": %d, \"i\": %d}},"
            + " \"wallTime\": {\"$date\": %d},"
            + " \"fullDocument\": {\"_id\": {\"$oid\": \"%s\"}, \"tenantId\": \"t%d\","
            + " \"seq\": %d},"
            + " \"ns\": {\"db\": \"app\", \"coll\": \"orders\"},"
            + " \"documentKey\": {\"_id\": {\"$oid\": \"%s\"}}}")
        .formatted(run, i, wallMillis / 1000, i + 1, wallMillis, oid, i % TENANTS, i, oid);
  }

  private ObjectNode pipeline(Plan plan) {
    ObjectNode result = JSON.objectNode();
    result.put("tenants", PIPELINE_TENANTS);
    result.put("stepSeconds", plan.step().toSeconds());
    result.put(
        "criterion",
        "kept up: achieved write rate >= 95% of the target, at most "
            + MAX_LAG.toSeconds()
            + " s of writes not yet delivered at the last write, and every event delivered within "
            + CATCH_UP.toSeconds()
            + " s of the last write");
    if (!plan.pipelineWarmUp().isZero()) {
      ObjectNode warmUp = pipelineStep(PIPELINE_WARMUP_RATE, plan.pipelineWarmUp());
      result.set("warmUp", warmUp);
      log.info(
          "throughput: pipeline warm-up, {} s at {}/s: JIT compiled {} ms of it",
          plan.pipelineWarmUp().toSeconds(),
          PIPELINE_WARMUP_RATE,
          warmUp.path("jitCompileMs").asLong());
    }
    ArrayNode steps = result.putArray("steps");
    int highest = 0;
    for (int rate : plan.pipelineRates()) {
      ObjectNode step = pipelineStep(rate, plan.step());
      steps.add(step);
      log.info(
          "throughput: pipeline at {}/s: achieved {}/s, kept up {}",
          rate,
          step.path("achievedWriteRate").asDouble(),
          step.path("keptUp").asBoolean());
      if (!step.path("keptUp").asBoolean()) {
        break;
      }
      highest = rate;
    }
    result.put("highestKeptUpRate", highest);
    return result;
  }

  private ObjectNode pipelineStep(int rate, Duration duration) {
    String run = "bench-tp-" + rate + "-" + LatencyScenario.shortId();
    AtomicLong received = new AtomicLong();
    List<SseClient> clients = new ArrayList<>();
    try {
      for (int t = 0; t < PIPELINE_TENANTS; t++) {
        clients.add(
            SseClient.open(
                edge,
                run + "-" + t,
                "0",
                e -> {
                  if (e.name() == null) {
                    received.incrementAndGet();
                  }
                }));
      }
      long uptimeMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
      JvmWork workBefore = JvmWork.now();
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long written = 0;
      long maxLag = 0;
      ArrayNode lag = JSON.arrayNode();
      long nextSample = start;
      while (System.nanoTime() < end) {
        long now = System.nanoTime();
        long due = (long) (rate * ((now - start) / 1e9));
        List<Document> batch = new ArrayList<>();
        for (long i = written; i < due && batch.size() < 5_000; i++) {
          batch.add(new Document("tenantId", run + "-" + (i % PIPELINE_TENANTS)).append("seq", i));
        }
        if (!batch.isEmpty()) {
          collection.insertMany(batch);
          written += batch.size();
        }
        long behind = written - received.get();
        maxLag = Math.max(maxLag, behind);
        if (now >= nextSample) {
          lag.addArray().add(LatencyScenario.round((now - start) / 1e9)).add(behind);
          nextSample += 1_000_000_000L;
        }
        long spent = System.nanoTime() - now;
        if (spent < TICK_NANOS) {
          LockSupport.parkNanos(TICK_NANOS - spent);
        }
      }
      long writesDone = System.nanoTime();
      long lagAtEnd = written - received.get();
      long deadline = writesDone + CATCH_UP.toNanos();
      while (received.get() < written && System.nanoTime() < deadline) {
        LockSupport.parkNanos(10_000_000L);
      }
      long caughtUp = System.nanoTime();
      double achieved = written / ((writesDone - start) / 1e9);
      ObjectNode step = JSON.objectNode();
      step.put("targetRate", rate);
      // how warm the (shared) JVM was: its age at the step's start, and the JIT and GC time inside
      JvmWork work = JvmWork.now().minus(workBefore);
      step.put("jvmUptimeSecondsAtStart", LatencyScenario.round(uptimeMs / 1e3));
      step.put("jitCompileMs", work.compileMillis());
      step.put("gcMs", work.gcMillis());
      step.put("written", written);
      step.put("achievedWriteRate", LatencyScenario.round(achieved));
      step.put("received", received.get());
      step.put("maxLag", maxLag);
      step.put("lagAtLastWrite", lagAtEnd);
      step.put("catchUpMs", LatencyScenario.round((caughtUp - writesDone) / 1e6));
      step.set("lagBySecond", lag);
      step.put(
          "keptUp",
          achieved >= 0.95 * rate
              && lagAtEnd <= rate * MAX_LAG.toSeconds()
              && received.get() >= written);
      return step;
    } finally {
      clients.forEach(SseClient::close);
    }
  }
}
