package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoCollection;
import io.changecast.bench.Mode;
import io.changecast.router.ChangecastRouter;
import io.changecast.router.RouterConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
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

  /** Router-alone backlog size; pipeline rates and step length. */
  public record Plan(int routerRecords, List<Integer> pipelineRates, Duration step) {}

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
   * quick: 20k records; 500 and 1k writes/s for 3 s. full: 500k records; 1k, 2k, 5k, 7.5k, 10k,
   * 20k, 30k writes/s for 20 s each, up to the first rate not kept up with.
   */
  public static Plan plan(Mode mode, int eventsOverride) {
    if (eventsOverride > 0) {
      return new Plan(eventsOverride, List.of(eventsOverride), Duration.ofSeconds(1));
    }
    return mode == Mode.QUICK
        ? new Plan(20_000, List.of(500, 1_000), Duration.ofSeconds(3))
        : new Plan(
            500_000,
            List.of(1_000, 2_000, 5_000, 7_500, 10_000, 20_000, 30_000),
            Duration.ofSeconds(20));
  }

  /** Runs both parts: {@code {routerAlone: {...}, pipeline: {...}}}. */
  public ObjectNode run(Plan plan) {
    ObjectNode result = JSON.objectNode();
    result.set("routerAlone", routerAlone(plan.routerRecords()));
    result.set("pipeline", pipeline(plan));
    return result;
  }

  private ObjectNode routerAlone(int records) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String raw = "benchraw." + id + ".app.orders";
    String events = "bench.routed." + id;
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
    log.info("throughput: {} raw records in {} s; starting a router", records, produceSeconds);

    ObjectNode result = JSON.objectNode();
    result.put("records", records);
    result.put("rawTopicPartitions", 1);
    result.put("preProduceSeconds", LatencyScenario.round(produceSeconds));
    long start = System.nanoTime();
    // {nanos since start, routed}, and at the 10% and 90% boundaries also {stream-thread CPU ns,
    // all router threads' CPU ns, process CPU ns}
    List<long[]> samples = new ArrayList<>();
    long tenth = records / 10;
    long ninetieth = records - records / 10;
    String routerThreads = "bench-router-" + id;
    try (ChangecastRouter router =
            ChangecastRouter.start(
                RouterConfig.fromMap(
                    Map.of(
                        "bootstrap.servers", bootstrapServers,
                        "application.id", "bench-router-" + id,
                        "state.dir", workDir.resolve("router-" + id).toString(),
                        "raw.topic.pattern", "benchraw\\." + id + "\\..+",
                        "events.topic", events,
                        "dlq.topic", "bench.dlq." + id,
                        "ingest.topic", "bench.ingest." + id)));
        KafkaConsumer<String, String> consumer = committedReader()) {
      List<TopicPartition> partitions = new ArrayList<>();
      long deadline = start + ROUTER_TIMEOUT.toNanos();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        consumer
            .partitionsFor(events, Duration.ofSeconds(5))
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long routed = 0;
      boolean pastTenth = false;
      boolean pastNinetieth = false;
      while (routed < records && System.nanoTime() < deadline) {
        routed += consumer.poll(Duration.ofMillis(100)).count();
        long now = System.nanoTime() - start;
        // the first samples at 10% and 90% (those firstAtLeast picks) read the CPU times; reading
        // every thread's on each poll would itself burn CPU in the measured JVM
        if ((!pastTenth && routed >= tenth) || (!pastNinetieth && routed >= ninetieth)) {
          pastTenth = routed >= tenth;
          pastNinetieth = routed >= ninetieth;
          long[] cpu = routerCpuNanos(routerThreads);
          samples.add(new long[] {now, routed, cpu[0], cpu[1], processCpu()});
        } else {
          samples.add(new long[] {now, routed});
        }
      }
      result.put("routed", routed);
      result.put("complete", routed >= records);
      result.put("routerState", router.state().toString());
    }
    long[] first = firstAtLeast(samples, 1);
    long[] p10 = firstAtLeast(samples, tenth);
    long[] p90 = firstAtLeast(samples, ninetieth);
    long[] last = samples.isEmpty() ? new long[] {0, 0} : samples.get(samples.size() - 1);
    result.put("startToFirstRoutedSeconds", LatencyScenario.round(first[0] / 1e9));
    result.put("startToLastRoutedSeconds", LatencyScenario.round(last[0] / 1e9));
    result.put(
        "eventsPerSecond",
        p90[0] > p10[0] ? LatencyScenario.round((p90[1] - p10[1]) / ((p90[0] - p10[0]) / 1e9)) : 0);
    result.put(
        "eventsPerSecondFirstToLast",
        last[0] > first[0]
            ? LatencyScenario.round((last[1] - first[1]) / ((last[0] - first[0]) / 1e9))
            : 0);
    long drained = p90[1] - p10[1];
    if (drained > 0 && p10.length > 2 && p90.length > 2) {
      ObjectNode cpu = result.putObject("cpuMicrosPerEvent");
      cpu.put("streamThreads", LatencyScenario.round((p90[2] - p10[2]) / 1e3 / drained));
      cpu.put("routerThreads", LatencyScenario.round((p90[3] - p10[3]) / 1e3 / drained));
      cpu.put("process", LatencyScenario.round((p90[4] - p10[4]) / 1e3 / drained));
      cpu.put(
          "method",
          "CPU time (ThreadMXBean) between 10% and 90% of the records routed, divided by the"
              + " records routed meanwhile: streamThreads = the router's StreamThread-*;"
              + " routerThreads = every thread named after its application id (stream threads,"
              + " their producers' and consumers' network threads); process = the whole JVM"
              + " (broker, Connect, edge and the bench's reader included)");
    }
    result.put(
        "method",
        "backlog drain: the rate between 10% and 90% of the records routed is the sustained"
            + " maximum; the lag is the backlog, so it is bounded by construction");
    return result;
  }

  private static long[] firstAtLeast(List<long[]> samples, long count) {
    for (long[] sample : samples) {
      if (sample[1] >= count) {
        return sample;
      }
    }
    return samples.isEmpty() ? new long[] {0, 0} : samples.get(samples.size() - 1);
  }

  /** {stream threads' CPU ns, CPU ns of every thread whose name contains {@code name}}. */
  private static long[] routerCpuNanos(String name) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long stream = 0;
    long all = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null || !info.getThreadName().contains(name)) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu < 0) {
        continue;
      }
      all += cpu;
      if (info.getThreadName().startsWith(name) && info.getThreadName().contains("StreamThread")) {
        stream += cpu;
      }
    }
    return new long[] {stream, all};
  }

  private static long processCpu() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }

  private KafkaConsumer<String, String> committedReader() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
        new StringDeserializer(),
        new StringDeserializer());
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
