package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import io.changecast.bench.Mode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end latency: inserts paced at a target rate, each carrying its write time in epoch
 * microseconds; one SSE subscriber of the tenant stamps the receive time with the same clock. Hops
 * come from the envelope: {@code wallTime} (MongoDB) and {@code routedAt} (router), both epoch
 * milliseconds, and from {@link TopicTaps}: when each write became readable on its raw topic and,
 * committed, on the events topic.
 */
public final class LatencyScenario {

  /** The hops each run reports under {@code hopsMs}, in pipeline order, then the two spans. */
  public static final List<String> HOPS =
      List.of(
          "writeToMongoWallTime",
          "mongoWallTimeToRawTopic",
          "rawTopicToRoutedAt",
          "routedAtToEventsTopic",
          "eventsTopicToClient",
          "mongoWallTimeToRoutedAt",
          "routedAtToClient",
          "total");

  /** One paced run: warm-up writes (not measured), then measured writes, at the same rate. */
  public record Run(int targetRate, int warmupWrites, int writes) {}

  /**
   * The runs, after {@code pipelineWarmUpWrites} unmeasured writes at {@value
   * #PIPELINE_WARMUP_RATE}/s on a tenant of their own (none when 0).
   */
  public record Plan(int pipelineWarmUpWrites, List<Run> runs) {}

  /** The pipeline warm-up's rate: the rate of the goal. */
  static final int PIPELINE_WARMUP_RATE = 1_000;

  /**
   * The one JVM that runs the whole pipeline loads 18,000 classes; at 1k writes/s its JIT compiler
   * was still busy most of the time after two minutes (C2 recompiling Kafka's broker, client and
   * Streams code), and with it the two cores were saturated: a latency measured then is largely the
   * compiler's. The full mode measures a warmer pipeline, as a deployment runs; each run reports
   * the compile time that remained ({@code jitCompileMs}).
   */
  private static final int FULL_PIPELINE_WARMUP_WRITES = 120 * PIPELINE_WARMUP_RATE;

  private static final Logger log = LoggerFactory.getLogger(LatencyScenario.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SMOKE_WARMUP_WRITES = 50;
  private static final Duration DRAIN = Duration.ofSeconds(120);
  private static final Duration TAP_GRACE = Duration.ofSeconds(5);

  private final URI edge;
  private final MongoCollection<Document> collection;
  private final TopicTaps taps;

  public LatencyScenario(URI edge, MongoCollection<Document> collection, TopicTaps taps) {
    this.edge = edge;
    this.collection = collection;
    this.taps = taps;
  }

  /**
   * Quick: after a 2 s warm-up, 100/s for 10 s. Full: after 120 s of pipeline warm-up at 1k/s and
   * 1-5 s of warm-up at each rate, 100/s, 1k/s and 5k/s for 30, 30 and 10 s. With {@code
   * writesOverride} (smoke tests), that many writes per run after 50 warm-up writes, no pipeline
   * warm-up.
   */
  public static Plan plan(Mode mode, int writesOverride) {
    List<Run> runs =
        mode == Mode.QUICK
            ? List.of(new Run(100, 200, 1_000))
            : List.of(
                new Run(100, 500, 3_000),
                new Run(1_000, 5_000, 30_000),
                new Run(5_000, 5_000, 50_000));
    if (writesOverride <= 0) {
      return new Plan(mode == Mode.FULL ? FULL_PIPELINE_WARMUP_WRITES : 0, runs);
    }
    return new Plan(
        0,
        runs.stream()
            .map(r -> new Run(r.targetRate(), SMOKE_WARMUP_WRITES, writesOverride))
            .toList());
  }

  /** Warms the pipeline up, then runs each planned run on a fresh tenant: one JSON object each. */
  public ArrayNode run(Plan plan) {
    if (plan.pipelineWarmUpWrites() > 0) {
      warmUp(plan.pipelineWarmUpWrites());
    }
    ArrayNode results = JSON.createArrayNode();
    for (Run run : plan.runs()) {
      ObjectNode result = run(run);
      result.put("pipelineWarmUpWrites", plan.pipelineWarmUpWrites());
      results.add(result);
    }
    return results;
  }

  /** Unmeasured writes on a tenant of their own, until its subscriber has received every one. */
  private void warmUp(int writes) {
    String tenant = "bench-latency-warmup-" + shortId();
    log.info("latency: pipeline warm-up, {} writes at {}/s", writes, PIPELINE_WARMUP_RATE);
    Recorder recorder = new Recorder(writes, 0);
    try (SseClient client = SseClient.open(edge, tenant, "0", recorder::onEvent)) {
      pacedWrites(tenant, PIPELINE_WARMUP_RATE, writes, true);
      await(recorder.warmupDone, "pipeline warm-up of " + tenant);
    }
  }

  private ObjectNode run(Run run) {
    String tenant = "bench-latency-" + run.targetRate() + "-" + shortId();
    Recorder recorder = new Recorder(run.warmupWrites(), run.writes());
    try (SseClient client = SseClient.open(edge, tenant, "0", recorder::onEvent)) {
      pacedWrites(tenant, run.targetRate(), run.warmupWrites(), true);
      await(recorder.warmupDone, "warm-up of " + tenant);
      log.info("latency: {} writes at {}/s to {}", run.writes(), run.targetRate(), tenant);
      JvmWork jvmBefore = JvmWork.now();
      long started = System.nanoTime();
      int behind = pacedWrites(tenant, run.targetRate(), run.writes(), false);
      long writeNanos = System.nanoTime() - started;
      boolean complete = awaitQuietly(recorder.measuredDone);
      JvmWork jvm = JvmWork.now().minus(jvmBefore);
      Hops tapped = recorder.tappedHops(tenant, taps);
      ObjectNode result = JSON.createObjectNode();
      result.put("tenant", tenant);
      result.put("targetRate", run.targetRate());
      result.put("warmupWrites", run.warmupWrites());
      result.put("writes", run.writes());
      result.put("received", recorder.measured.get());
      result.put("complete", complete);
      result.put("writeSeconds", round(writeNanos / 1e9));
      result.put("achievedRate", round(run.writes() / (writeNanos / 1e9)));
      result.put("writesBehindSchedule", behind);
      // the shared JVM's JIT compilation and GC time while this run wrote and delivered
      result.put("jitCompileMs", jvm.compileMillis());
      result.put("gcMs", jvm.gcMillis());
      synchronized (recorder) {
        result.put("eventsWithoutTimes", recorder.problems.size());
      }
      ObjectNode hops = result.putObject("hopsMs");
      synchronized (recorder) {
        hops.set("writeToMongoWallTime", recorder.toMongo.toJson());
        hops.set("mongoWallTimeToRawTopic", tapped.toRaw().toJson());
        hops.set("rawTopicToRoutedAt", tapped.rawToRouter().toJson());
        hops.set("routedAtToEventsTopic", tapped.toEvents().toJson());
        hops.set("eventsTopicToClient", tapped.eventsToClient().toJson());
        hops.set("mongoWallTimeToRoutedAt", recorder.toRouter.toJson());
        hops.set("routedAtToClient", recorder.toClient.toJson());
        hops.set("total", recorder.total.toJson());
        // a bounded pipeline keeps these two close; a growing gap means it fell behind the rate
        ObjectNode trend = result.putObject("totalByPhaseMs");
        trend.set("firstTenthOfWrites", recorder.firstTenth.toJson());
        trend.set("lastTenthOfWrites", recorder.lastTenth.toJson());
      }
      return result;
    }
  }

  /** Writes {@code count} documents at {@code rate}; returns how many were written late. */
  private int pacedWrites(String tenant, int rate, int count, boolean warmup) {
    long period = 1_000_000_000L / rate;
    long start = System.nanoTime();
    int behind = 0;
    for (int i = 0; i < count; i++) {
      long due = start + i * period;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      } else if (wait < -period) {
        behind++;
      }
      collection.insertOne(
          new Document("tenantId", tenant)
              .append("seq", i)
              .append("warmup", warmup)
              .append("writtenAtMicros", Clock.nowMicros()));
    }
    return behind;
  }

  private static void await(CountDownLatch latch, String what) {
    if (!awaitQuietly(latch)) {
      throw new IllegalStateException(what + " not delivered within " + DRAIN);
    }
  }

  private static boolean awaitQuietly(CountDownLatch latch) {
    try {
      return latch.await(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** A number, or relaxed Extended JSON's {@code {"$numberLong": "..."}}; 0 when absent. */
  static long longValue(JsonNode node) {
    return node.isObject() ? node.path("$numberLong").asLong() : node.asLong();
  }

  /** The hops measured against {@link TopicTaps}: Connect, router, output commit, edge. */
  private record Hops(
      Percentiles toRaw,
      Percentiles rawToRouter,
      Percentiles toEvents,
      Percentiles eventsToClient) {}

  /** Receives on the client thread; hops are computed from the envelope. */
  private static final class Recorder {
    final Percentiles toMongo = new Percentiles();
    final Percentiles toRouter = new Percentiles();
    final Percentiles toClient = new Percentiles();
    final Percentiles total = new Percentiles();
    final Percentiles firstTenth = new Percentiles();
    final Percentiles lastTenth = new Percentiles();
    final int writes;
    final CountDownLatch warmupDone;
    final CountDownLatch measuredDone;
    final AtomicInteger measured = new AtomicInteger();
    final List<String> problems = new ArrayList<>();
    // per measured write (by seq): MongoDB wallTime, routedAt and client receive, in µs (0: unseen)
    final long[] wallBySeq;
    final long[] routedBySeq;
    final long[] receivedBySeq;

    Recorder(int warmupWrites, int writes) {
      this.writes = writes;
      this.wallBySeq = new long[writes];
      this.routedBySeq = new long[writes];
      this.receivedBySeq = new long[writes];
      this.warmupDone = new CountDownLatch(warmupWrites);
      this.measuredDone = new CountDownLatch(writes);
    }

    void onEvent(SseClient.Event event) {
      if (event.name() != null) {
        return; // control events (reset) carry no write
      }
      JsonNode envelope;
      try {
        envelope = JSON.readTree(event.data());
      } catch (java.io.IOException e) {
        problems.add(e.toString());
        return;
      }
      JsonNode document = envelope.path("document");
      if (document.path("warmup").asBoolean(false)) {
        warmupDone.countDown();
        return;
      }
      long written = longValue(document.path("writtenAtMicros"));
      long wallMicros = longValue(envelope.path("wallTime")) * 1_000L;
      long routedMicros = longValue(envelope.path("routedAt")) * 1_000L;
      if (written <= 0 || routedMicros <= 0) {
        synchronized (this) {
          problems.add("event " + event.id() + " lacks its write time or routedAt");
        }
        measuredDone.countDown();
        return;
      }
      int seq = document.path("seq").asInt(-1);
      synchronized (this) {
        if (seq >= 0 && seq < writes) {
          wallBySeq[seq] = wallMicros;
          routedBySeq[seq] = routedMicros;
          receivedBySeq[seq] = event.receivedAtMicros();
        }
        if (seq >= 0 && seq < writes / 10) {
          firstTenth.record(event.receivedAtMicros() - written);
        } else if (seq >= writes - writes / 10) {
          lastTenth.record(event.receivedAtMicros() - written);
        }
        if (wallMicros > 0) {
          toMongo.record(wallMicros - written);
          toRouter.record(routedMicros - wallMicros);
        }
        toClient.record(event.receivedAtMicros() - routedMicros);
        total.record(event.receivedAtMicros() - written);
      }
      measured.incrementAndGet();
      measuredDone.countDown();
    }

    /** The tapped hops of every received write the taps saw (they may trail the client). */
    Hops tappedHops(String tenant, TopicTaps taps) {
      Hops hops =
          new Hops(new Percentiles(), new Percentiles(), new Percentiles(), new Percentiles());
      long deadline = System.nanoTime() + TAP_GRACE.toNanos(); // for the taps to catch up, in all
      for (int i = 0; i < writes; i++) {
        int seq = i;
        long received;
        synchronized (this) {
          received = receivedBySeq[seq];
        }
        if (received == 0) {
          continue;
        }
        Long raw = awaitTap(() -> taps.rawMicros(tenant, seq), deadline);
        Long events = awaitTap(() -> taps.eventsMicros(tenant, seq), deadline);
        synchronized (this) {
          if (raw != null && wallBySeq[seq] > 0) {
            hops.toRaw().record(raw - wallBySeq[seq]);
          }
          if (raw != null) {
            hops.rawToRouter().record(routedBySeq[seq] - raw);
          }
          if (events != null) {
            hops.toEvents().record(events - routedBySeq[seq]);
            hops.eventsToClient().record(received - events);
          }
        }
      }
      return hops;
    }

    /** A tap's stamp, waiting until {@code deadline} (nanoTime) for a tap behind the client. */
    private static Long awaitTap(Supplier<Long> stamp, long deadline) {
      Long value = stamp.get();
      while (value == null && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        value = stamp.get();
      }
      return value;
    }
  }
}
