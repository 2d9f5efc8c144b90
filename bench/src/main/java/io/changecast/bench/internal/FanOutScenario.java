package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.bench.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out: {@code tenants × subscribersPerTenant} SSE streams, then events published at rising
 * rates (each step aims at a number of deliveries per second); per step the deliveries per second
 * and the delivery latency from {@code routedAt} (set when the harness publishes) to the client's
 * receipt. A step that does not deliver everything within the drain time, or whose p99 exceeds a
 * second, ends the climb.
 */
public final class FanOutScenario {

  /** How the subscribers are spread. */
  public record Shape(int tenants, int subscribersPerTenant) {
    int subscribers() {
      return tenants * subscribersPerTenant;
    }
  }

  /**
   * The shapes, the delivery rates to step through, each step's duration, and the unmeasured
   * warm-up at the first rate before them: steps of {@code warmUp} until two in a row cost the
   * server the same CPU per delivery within {@value #STEADY_WITHIN} (its JIT is done; a fresh JVM
   * compiles for about a minute), at most {@code warmUpSteps}.
   */
  public record Plan(
      List<Shape> shapes,
      List<Integer> deliveryRates,
      Duration step,
      Duration warmUp,
      int warmUpSteps) {}

  /** Relative difference of two warm-up steps' server CPU per delivery that counts as steady. */
  static final double STEADY_WITHIN = 0.1;

  private static final Logger log = LoggerFactory.getLogger(FanOutScenario.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Duration DRAIN = Duration.ofSeconds(10);
  private static final long TICK_NANOS = 10_000_000L;
  private static final double MAX_P99_MS = 1_000;

  private final Targets targets;

  public FanOutScenario(Targets targets) {
    this.targets = targets;
  }

  /**
   * The mode's plan, with its shapes and delivery rates replaced by {@code shapes} and {@code
   * rates} when they are not empty (A/B runs of one shape).
   */
  public static Plan plan(
      Mode mode, int subscribersOverride, List<Shape> shapes, List<Integer> rates) {
    Plan plan = basePlan(mode, subscribersOverride);
    return new Plan(
        shapes.isEmpty() ? plan.shapes() : shapes,
        rates.isEmpty() ? plan.deliveryRates() : rates,
        plan.step(),
        plan.warmUp(),
        plan.warmUpSteps());
  }

  /**
   * quick: 1 × 100 and 10 × 10 at 2k and 10k deliveries/s, 2 s steps after a 1 s warm-up; full: 1 ×
   * 1,000, 1 × 10,000 and 1,000 × 10 at 50k, 100k, 200k, 400k deliveries/s, 10 s steps after a
   * warm-up of 10 s steps until the server's CPU per delivery is steady, at most 9 (90 s).
   */
  private static Plan basePlan(Mode mode, int subscribersOverride) {
    if (subscribersOverride > 0) {
      return new Plan(
          List.of(
              new Shape(1, subscribersOverride),
              new Shape(Math.max(1, subscribersOverride / 10), 10)),
          List.of(1_000, 2_000),
          Duration.ofSeconds(1),
          Duration.ofMillis(500),
          1);
    }
    return mode == Mode.QUICK
        ? new Plan(
            List.of(new Shape(1, 100), new Shape(10, 10)),
            List.of(2_000, 10_000),
            Duration.ofSeconds(2),
            Duration.ofSeconds(1),
            1)
        : new Plan(
            List.of(new Shape(1, 1_000), new Shape(1, 10_000), new Shape(1_000, 10)),
            List.of(50_000, 100_000, 200_000, 400_000),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            9);
  }

  /** Runs the plan against each target; one JSON object per target. */
  public ArrayNode run(Plan plan) {
    return targets.each(target -> run(target, plan));
  }

  private ObjectNode run(SseTarget target, Plan plan) {
    return run(target, plan, targets.workDir());
  }

  /**
   * Runs the plan against one target, its client processes' logs in {@code workDir} (the loopback
   * floor runs the same plan, clients and measure against its writer process).
   */
  static ObjectNode run(SseTarget target, Plan plan, Path workDir) {
    ObjectNode result = JSON.objectNode();
    Publisher publisher = new Publisher(target);
    ArrayNode shapes = result.putArray("shapes");
    for (Shape shape : plan.shapes()) {
      shapes.add(run(target, publisher, shape, plan, workDir));
    }
    return result;
  }

  private static ObjectNode run(
      SseTarget target, Publisher publisher, Shape shape, Plan plan, Path workDir) {
    ObjectNode result = JSON.objectNode();
    result.put("tenants", shape.tenants());
    result.put("subscribersPerTenant", shape.subscribersPerTenant());
    result.put("subscribers", shape.subscribers());
    try (ClientFleet fleet = ClientFleet.start(shape.subscribers(), workDir)) {
      ClientFleet.Opened opened = fleet.open(target, shape.subscribers(), shape.tenants());
      result.put("clientProcesses", fleet.processes());
      result.put("opened", opened.ok());
      result.put("failed", opened.failed());
      result.put("retried", opened.retried());
      if (opened.firstError() != null) {
        result.put("firstError", opened.firstError());
      }
      result.set("warmUp", warmUp(target, fleet, publisher, shape, plan));
      ArrayNode steps = result.putArray("steps");
      ObjectNode best = null;
      for (int rate : plan.deliveryRates()) {
        ObjectNode step = step(target, fleet, publisher, shape, rate, plan.step());
        steps.add(step);
        log.info(
            "fan-out: {} {}x{} at {}/s: {} deliveries/s, p99 {} ms, complete {};"
                + " CPU µs per delivery: server {}, clients {}; server input age p50/p99 ≤ {}/{} ms",
            target.name(),
            shape.tenants(),
            shape.subscribersPerTenant(),
            rate,
            step.path("deliveriesPerSecond").asDouble(),
            step.path("latencyMs").path("p99Ms").asDouble(),
            step.path("complete").asBoolean(),
            step.path("serverCpuMicrosPerDelivery").asDouble(),
            step.path("clientCpuMicrosPerDelivery").asDouble(),
            step.path("serverInputAgeMs").path("p50AtMostMs").asText("-"),
            step.path("serverInputAgeMs").path("p99AtMostMs").asText("-"));
        boolean ok =
            step.path("complete").asBoolean()
                && step.path("latencyMs").path("p99Ms").asDouble() <= MAX_P99_MS;
        if (!ok) {
          break;
        }
        if (best == null
            || step.path("deliveriesPerSecond").asDouble()
                > best.path("deliveriesPerSecond").asDouble()) {
          best = step;
        }
      }
      ObjectNode summary = result.putObject("best");
      if (best != null) {
        summary.put("deliveriesPerSecond", best.path("deliveriesPerSecond").asDouble());
        summary.put("p99Ms", best.path("latencyMs").path("p99Ms").asDouble());
        summary.put("targetDeliveriesPerSecond", best.path("targetDeliveriesPerSecond").asInt());
      }
    }
    target.subscribersClosed();
    return result;
  }

  /** Publishes at {@code deliveryRate / subscribersPerTenant} events/s and drains. */
  /**
   * The unmeasured warm-up at the plan's first rate: steps until two in a row cost the server the
   * same CPU per delivery within {@link #STEADY_WITHIN}, at most {@code plan.warmUpSteps()}; what
   * each cost and whether it became steady.
   */
  private static ObjectNode warmUp(
      SseTarget target, ClientFleet fleet, Publisher publisher, Shape shape, Plan plan) {
    ObjectNode warmUp = JSON.objectNode();
    ArrayNode cpu = warmUp.putArray("serverCpuMicrosPerDelivery");
    boolean steady = false;
    double previous = Double.NaN;
    for (int i = 0; i < plan.warmUpSteps() && !steady; i++) {
      ObjectNode step =
          step(target, fleet, publisher, shape, plan.deliveryRates().get(0), plan.warmUp());
      double micros = step.path("serverCpuMicrosPerDelivery").asDouble();
      cpu.add(micros);
      steady =
          step.path("complete").asBoolean()
              && Math.abs(micros - previous) <= STEADY_WITHIN * Math.max(micros, previous);
      previous = micros;
    }
    warmUp.put("steps", cpu.size());
    warmUp.put("stepSeconds", plan.warmUp().toMillis() / 1e3);
    warmUp.put("steady", steady);
    log.info(
        "fan-out: {} {}x{} warm-up: {} steps, server CPU µs per delivery {}, steady {}",
        target.name(),
        shape.tenants(),
        shape.subscribersPerTenant(),
        cpu.size(),
        cpu,
        steady);
    return warmUp;
  }

  private static ObjectNode step(
      SseTarget target,
      ClientFleet fleet,
      Publisher publisher,
      Shape shape,
      int deliveryRate,
      Duration duration) {
    double eventsPerSecond = Math.max(1.0, deliveryRate / (double) shape.subscribersPerTenant());
    fleet.reset();
    long serverCpuStart = target.cpuNanos();
    long clientCpuStart = fleet.cpuNanos();
    NavigableMap<Double, Long> inputAgeStart = target.inputAgeBuckets();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long sent = 0;
    long publishing = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      long due = (long) (eventsPerSecond * (now - start) / 1e9);
      for (; sent < due; sent++) {
        publisher.publish("bench-" + (sent % shape.tenants()));
      }
      publisher.flush();
      publishing += System.nanoTime() - now;
      LockSupport.parkNanos(TICK_NANOS - (System.nanoTime() - now) % TICK_NANOS);
    }
    long publishedAt = System.nanoTime();
    long expected = sent * shape.subscribersPerTenant();
    long deadline = publishedAt + DRAIN.toNanos();
    ClientFleet.Stats stats = fleet.stats();
    while (stats.events() < expected && System.nanoTime() < deadline) {
      LockSupport.parkNanos(50_000_000L);
      stats = fleet.stats();
    }
    long doneAt = System.nanoTime();
    long serverCpu = target.cpuNanos() - serverCpuStart;
    long clientCpu = fleet.cpuNanos() - clientCpuStart;
    NavigableMap<Double, Long> inputAgeEnd = target.inputAgeBuckets();
    double seconds = (doneAt - start) / 1e9;
    ObjectNode step = JSON.objectNode();
    step.put("targetDeliveriesPerSecond", deliveryRate);
    step.put("eventsPerSecond", LatencyScenario.round(eventsPerSecond));
    step.put("events", sent);
    step.put("publishSeconds", LatencyScenario.round((publishedAt - start) / 1e9));
    // time inside publish + flush (produce and wait for acks / POST to Pushpin): near 1 means the
    // publisher, not the server, set the pace and the events waited in it
    step.put(
        "publisherBusyFraction",
        LatencyScenario.round(publishing / (double) (publishedAt - start)));
    step.put("expectedDeliveries", expected);
    step.put("deliveries", stats.events());
    step.put("seconds", LatencyScenario.round(seconds));
    step.put("deliveriesPerSecond", LatencyScenario.round(stats.events() / seconds));
    step.put("complete", stats.events() >= expected);
    step.put("droppedConnections", stats.dropped());
    // CPU time over the step (publishing and drain) per delivery: where the cost is, the server or
    // the clients (10 ms clock ticks from /proc; the harness's own publishing is not counted)
    long delivered = Math.max(1, stats.events());
    step.put("serverCpuSeconds", LatencyScenario.round(serverCpu / 1e9));
    step.put("serverCpuMicrosPerDelivery", LatencyScenario.round(serverCpu / 1e3 / delivered));
    step.put("clientCpuMicrosPerDelivery", LatencyScenario.round(clientCpu / 1e3 / delivered));
    if (!inputAgeEnd.isEmpty()) {
      // the server's input lag (routedAt → handed to its streams), from its own histogram: splits
      // the latency below into the server's input and its writes
      step.set("serverInputAgeMs", inputAge(inputAgeStart, inputAgeEnd));
    }
    Percentiles latency = Percentiles.of(stats.latencyMicros());
    step.set("latencyMs", latency.toJson());
    step.set("cdfMs", latency.cdfMs());
    return step;
  }

  /**
   * p50 and p99 of the events counted between two readings of a cumulative histogram, as the upper
   * bound of the bucket each falls in (ms; "inf" above the last bound).
   */
  static ObjectNode inputAge(NavigableMap<Double, Long> before, NavigableMap<Double, Long> after) {
    ObjectNode age = JSON.objectNode();
    long total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0L);
    age.put("events", total);
    for (double quantile : new double[] {0.5, 0.99}) {
      String bound = "-";
      for (Map.Entry<Double, Long> bucket : after.entrySet()) {
        long count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0L);
        if (total > 0 && count >= Math.ceil(quantile * total)) {
          bound = bucket.getKey().isInfinite() ? "inf" : Long.toString(Math.round(bucket.getKey()));
          break;
        }
      }
      age.put(quantile == 0.5 ? "p50AtMostMs" : "p99AtMostMs", bound);
    }
    return age;
  }

  /** Envelopes with per-tenant ids (kept across shapes: a server's tenant log only moves on). */
  private static final class Publisher {
    private final SseTarget target;
    private final Map<String, Long> ids = new HashMap<>();

    Publisher(SseTarget target) {
      this.target = target;
    }

    void publish(String tenant) {
      long id = ids.merge(tenant, 1L, Long::sum);
      target.publish(
          tenant,
          id,
          "{\"id\":\""
              + id
              + "\",\"tenant\":\""
              + tenant
              + "\",\"type\":\"bench.tick\",\"operation\":\"publish\",\"data\":{\"seq\":"
              + id
              + "},\"routedAt\":"
              + System.currentTimeMillis()
              + "}");
    }

    void flush() {
      target.flush();
    }
  }
}
