package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.bench.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's document state (issue 20), on an edge in a child JVM reading envelopes the harness
 * produces to a fresh one-partition events topic, as the router would: the same records for an edge
 * with the state off and one with it on. Per edge: the cold start (every record read), its RSS,
 * heap after a full GC and state directory with the documents held; bursts of document changes (40%
 * inserts, 40% updates, 20% deletes over 100 tenants, about 1 KB documents) produced as fast as the
 * harness can, timed until a marker event after them reaches an SSE client (the hand-over rate)
 * and, with the state on, until the state has applied the marker (its snapshot's {@code asOf}, the
 * state's rate: it trails the hand-over), with the edge's CPU per event to the later of the two,
 * after one unmeasured burst of the same size (a warm JVM). With the state on, before the bursts: a
 * tenant's snapshot of 10,000 documents — {@code GET …/snapshot?limit=10000}, and {@code
 * events?snapshot=true} to its {@code snapshot-end} — time to the last byte, beside the floor of
 * the same bytes served by a minimal Javalin server ({@link FloorServer}, a child JVM too),
 * measured in turn; then a clean stop (the state directory's size), and a restart on the same
 * state: records re-read (the edge's own {@code changecast_edge_records_read_total}) and time to
 * ready; the bursts run on the restarted edge.
 */
public final class DocumentStateScenario {

  /**
   * Sizes of a run.
   *
   * @param snapshotDocuments documents of the snapshot tenant
   * @param fillDocuments documents of other tenants (10,000 each), for the state's size
   * @param warmUps unmeasured snapshot requests of each kind first
   * @param repetitions measured snapshot requests of each kind
   * @param burstEvents events per burst
   * @param bursts bursts per edge
   */
  public record Plan(
      int snapshotDocuments,
      int fillDocuments,
      int warmUps,
      int repetitions,
      int burstEvents,
      int bursts) {}

  /** The edge config key that turns the document state on or off. */
  public static final String STATE_KEY = "documents.enabled";

  static final int DOCUMENT_BYTES = 1024;
  static final String SNAPSHOT_TENANT = "bench-snapshot";
  private static final String MARKER_TENANT = "bench-burst-end";
  private static final int BURST_TENANTS = 100;
  private static final int WARM_UP_BURSTS = 1;
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final Pattern NEXT = Pattern.compile("\"next\"\\s*:\\s*(null|\"([^\"]*)\")");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(DocumentStateScenario.class);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private final String bootstrapServers;
  private final Path workDir;
  private final DocumentEnvelopes envelopes = new DocumentEnvelopes(DOCUMENT_BYTES);

  public DocumentStateScenario(String bootstrapServers, Path workDir) {
    this.bootstrapServers = bootstrapServers;
    this.workDir = workDir;
  }

  /**
   * quick: 10k documents, 5 + 15 snapshots, 2 bursts of 20k; full: 100k documents, 20 + 50
   * snapshots, 3 bursts of 100k.
   */
  public static Plan plan(Mode mode, int documentsOverride) {
    if (documentsOverride > 0) {
      return new Plan(documentsOverride, 0, 2, 3, documentsOverride * 2, 1);
    }
    return mode == Mode.QUICK
        ? new Plan(10_000, 0, 5, 15, 20_000, 2)
        : new Plan(10_000, 90_000, 20, 50, 100_000, 3);
  }

  public ObjectNode run(Plan plan) {
    ObjectNode result = JSON.objectNode();
    result.put("documentBytes", DOCUMENT_BYTES);
    result.put("snapshotDocuments", plan.snapshotDocuments());
    result.put("documentsHeld", plan.snapshotDocuments() + plan.fillDocuments());
    result.put("burstEvents", plan.burstEvents());
    result.put("stateKey", STATE_KEY);
    ObjectNode off = edgeRun(plan, false);
    ObjectNode on = edgeRun(plan, true);
    result.set("stateOff", off);
    result.set("stateOn", on);
    result.set("summary", summary(plan, off, on));
    return result;
  }

  private ObjectNode summary(Plan plan, ObjectNode off, ObjectNode on) {
    ObjectNode summary = JSON.objectNode();
    double held = plan.snapshotDocuments() + plan.fillDocuments();
    double perMillion = 1_000_000 / held;
    summary.put("extrapolatedFromDocuments", (long) held);
    summary.put(
        "diskBytesPerMillionDocuments",
        Math.round(on.path("diskBytesAfterStop").asLong() * perMillion));
    summary.put(
        "rssDeltaBytesPerMillionDocuments",
        Math.round(
            (on.path("memory").path("rssBytes").asLong()
                    - off.path("memory").path("rssBytes").asLong())
                * perMillion));
    summary.put(
        "rssOnBytesPerMillionDocuments",
        Math.round(on.path("memory").path("rssBytes").asLong() * perMillion));
    double rateOn = on.path("burstEventsPerSecondMedian").asDouble();
    double rateOff = off.path("burstEventsPerSecondMedian").asDouble();
    summary.put("burstEventsPerSecondOn", rateOn);
    summary.put("burstEventsPerSecondOff", rateOff);
    summary.put("rateOnOverOff", round(rateOn / rateOff));
    // the state's own pace: bursts until the state applied their last event (off: handed over)
    double stateRateOn = on.path("stateEventsPerSecondMedian").asDouble();
    summary.put("stateEventsPerSecondOn", stateRateOn);
    summary.put("stateRateOnOverOff", round(stateRateOn / rateOff));
    summary.put(
        "cpuMicrosPerEventOnOverOff",
        round(
            on.path("cpuMicrosPerEventMedian").asDouble()
                / off.path("cpuMicrosPerEventMedian").asDouble()));
    summary.put("coldReadyMsOn", on.path("cold").path("readyMs").asLong());
    summary.put("restartReadyMsOn", on.path("restart").path("readyMs").asLong());
    summary.put("restartRecordsReRead", on.path("restart").path("recordsReadMetric").asLong());
    summary.put("coldRecordsRead", on.path("cold").path("recordsReadMetric").asLong());
    summary.set("snapshotPagedMs", on.path("snapshot").path("pagedMs"));
    summary.set("snapshotFloorMs", on.path("snapshot").path("floorMs"));
    summary.set("snapshotEventsMs", on.path("snapshot").path("snapshotEventsMs"));
    return summary;
  }

  private ObjectNode edgeRun(Plan plan, boolean enabled) {
    String label =
        (enabled ? "state-on-" : "state-off-") + UUID.randomUUID().toString().substring(0, 8);
    String topic = "bench.documents." + label;
    String applicationId = "bench-" + label;
    Path stateDir = workDir.resolve(label);
    EdgeTarget.createTopic(bootstrapServers, topic, 1);
    ObjectNode run = JSON.objectNode();
    run.put("documentState", enabled);
    run.set("loadAverageStart", Environment.loadAverage());
    Map<String, String> extra = Map.of(STATE_KEY, Boolean.toString(enabled));
    try (KafkaProducer<String, String> producer = producer()) {
      long preloaded = preload(producer, topic, plan);
      StateEdge edge =
          StateEdge.start(bootstrapServers, workDir, label, topic, applicationId, stateDir, extra);
      try {
        ObjectNode cold = run.putObject("cold");
        cold.put("recordsRead", preloaded);
        cold.put("readyMs", edge.readyMillis());
        cold.put("recordsReadMetric", recordsRead(edge));
        run.set("memory", memory(edge, stateDir));
        if (enabled) {
          run.set("snapshot", snapshot(edge, plan));
          // a clean stop, then a restart on the same state: what it re-reads, how soon it serves
          edge.close();
          run.put("diskBytesAfterStop", StateEdge.bytesOnDisk(stateDir));
          edge =
              StateEdge.start(
                  bootstrapServers,
                  workDir,
                  label + "-restart",
                  topic,
                  applicationId,
                  stateDir,
                  extra);
          ObjectNode restart = run.putObject("restart");
          restart.put("topicEndOffset", endOffset(topic));
          restart.put("readyMs", edge.readyMillis());
          restart.put("recordsReadMetric", recordsRead(edge));
          restart.set("memory", memory(edge, stateDir));
          restart.put(
              "snapshotDocumentsAfterRestart",
              fetchPages(edge.url(), plan.snapshotDocuments(), true).documents());
        }
        Burster burster = new Burster(new Random(20), envelopes);
        // An unmeasured burst first: both edges take the measured ones on a warm JVM (the edge
        // with the state has just restarted, the other one has only read the preload).
        ArrayNode warmUp = run.putArray("warmUpBursts");
        ArrayNode bursts = run.putArray("bursts");
        List<Double> rates = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        List<Double> stateRates = new ArrayList<>();
        for (int b = 0; b < WARM_UP_BURSTS + plan.bursts(); b++) {
          ObjectNode burst =
              burst(edge, producer, topic, burster, plan.burstEvents(), b + 1, enabled);
          if (b < WARM_UP_BURSTS) {
            warmUp.add(burst);
            continue;
          }
          rates.add(burst.path("eventsPerSecond").asDouble());
          cpus.add(burst.path("edgeCpuMicrosPerEvent").asDouble());
          stateRates.add(burst.path("stateEventsPerSecond").asDouble());
          bursts.add(burst);
        }
        run.put("burstEventsPerSecondMedian", median(rates));
        run.put("cpuMicrosPerEventMedian", median(cpus));
        run.put("stateEventsPerSecondMedian", median(stateRates));
      } finally {
        edge.close();
      }
    }
    run.set("loadAverageEnd", Environment.loadAverage());
    return run;
  }

  private static final Pattern RECORDS_READ =
      Pattern.compile("(?m)^changecast_edge_records_read_total(?:\\{[^}]*\\})?\\s+(\\S+)");

  /** The edge's own count of records its processor read since it started, -1 when absent. */
  private static long recordsRead(StateEdge edge) {
    Matcher m = RECORDS_READ.matcher(edge.metrics());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  private ObjectNode memory(StateEdge edge, Path stateDir) {
    ObjectNode memory = JSON.objectNode();
    memory.put("heapAfterGcBytes", edge.heapAfterGcBytes());
    memory.put("rssBytes", edge.rssBytes());
    memory.put("diskBytes", StateEdge.bytesOnDisk(stateDir));
    return memory;
  }

  /** The snapshot tenant's documents, then the fill tenants' (10,000 each); returns the count. */
  private long preload(KafkaProducer<String, String> producer, String topic, Plan plan) {
    long count = 0;
    for (int i = 1; i <= plan.snapshotDocuments(); i++) {
      send(producer, topic, SNAPSHOT_TENANT, envelopes.insert(SNAPSHOT_TENANT, i, key(i), 1));
      count++;
    }
    for (int i = 0; i < plan.fillDocuments(); i++) {
      String tenant = "bench-fill-" + (i / 10_000);
      int n = i % 10_000 + 1;
      send(producer, topic, tenant, envelopes.insert(tenant, n, key(n), 1));
      count++;
    }
    producer.flush();
    log.info("document-state: {} documents preloaded to {}", count, topic);
    return count;
  }

  private static String key(int n) {
    return String.format("k%07d", n);
  }

  // ---- snapshot ----

  private ObjectNode snapshot(StateEdge edge, Plan plan) {
    ObjectNode snapshot = JSON.objectNode();
    int documents = plan.snapshotDocuments();
    SnapshotFetch first = fetchPages(edge.url(), documents, true);
    snapshot.put("documents", first.documents());
    snapshot.put("asOf", first.asOf());
    snapshot.put("pages", first.bodies().size());
    snapshot.put("bytes", first.bytes());
    if (first.documents() != documents) {
      throw new IllegalStateException(
          "the snapshot holds " + first.documents() + " documents, expected " + documents);
    }
    List<String> files = new ArrayList<>();
    for (int i = 0; i < first.bodies().size(); i++) {
      Path file = workDir.resolve("floor-page-" + i + ".json");
      try {
        Files.write(file, first.bodies().get(i));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      files.add(file.toString());
    }
    try (ChildProcess floor =
        ChildProcess.start(
            "floor",
            ChildProcess.java(
                EdgeTarget.JVM_OPTIONS, FloorServer.class.getName(), files.toArray(String[]::new)),
            workDir.resolve("floor.log"))) {
      URI floorUrl =
          URI.create(
              "http://127.0.0.1:"
                  + floor.await("PORT ", Duration.ofSeconds(60)).substring(5).trim());
      for (int i = 0; i < plan.warmUps(); i++) {
        fetchPages(edge.url(), documents, false);
        fetchFloor(floorUrl, files.size());
        snapshotEvents(edge.url(), documents);
      }
      Percentiles paged = new Percentiles();
      Percentiles floorTimes = new Percentiles();
      Percentiles events = new Percentiles();
      for (int i = 0; i < plan.repetitions(); i++) {
        paged.record(fetchPages(edge.url(), documents, false).nanos() / 1_000);
        floorTimes.record(fetchFloor(floorUrl, files.size()) / 1_000);
        events.record(snapshotEvents(edge.url(), documents) / 1_000);
      }
      snapshot.set("pagedMs", paged.toJson());
      snapshot.set("floorMs", floorTimes.toJson());
      snapshot.set("snapshotEventsMs", events.toJson());
      snapshot.put(
          "floor",
          "the same page bodies from memory, GET /p/{i} of a minimal Javalin server (no"
              + " compression) in a child JVM with the edge's JVM options");
    }
    return snapshot;
  }

  /** One paged snapshot of the snapshot tenant. */
  record SnapshotFetch(long nanos, int documents, long asOf, long bytes, List<byte[]> bodies) {}

  /**
   * {@code GET …/snapshot?limit=L} then each {@code next} cursor; {@code nanos} sums each page's
   * request to its last byte (the client's work between pages excluded).
   */
  private static SnapshotFetch fetchPages(URI edge, int limit, boolean keep) {
    long nanos = 0;
    long bytes = 0;
    int documents = 0;
    long asOf = -1;
    List<byte[]> bodies = new ArrayList<>();
    String cursor = null;
    do {
      String query = "limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor);
      URI uri = edge.resolve("/v1/tenants/" + SNAPSHOT_TENANT + "/snapshot?" + query);
      long started = System.nanoTime();
      byte[] body = get(uri);
      nanos += System.nanoTime() - started;
      bytes += body.length;
      if (keep) {
        bodies.add(body);
        JsonNode page = parse(body);
        documents += page.path("documents").size();
        asOf = page.path("asOf").asLong();
      }
      cursor = next(body);
    } while (cursor != null);
    return new SnapshotFetch(nanos, keep ? documents : -1, asOf, bytes, bodies);
  }

  private static long fetchFloor(URI floor, int pages) {
    long nanos = 0;
    for (int i = 0; i < pages; i++) {
      long started = System.nanoTime();
      get(floor.resolve("/p/" + i));
      nanos += System.nanoTime() - started;
    }
    return nanos;
  }

  /** {@code events?snapshot=true}: request to the {@code snapshot-end} event; checks the count. */
  private static long snapshotEvents(URI edge, int documents) {
    CountDownLatch end = new CountDownLatch(1);
    int[] received = {0};
    long[] endedAt = {0};
    long started = System.nanoTime();
    try (SseClient client =
        SseClient.openUri(
            edge.resolve("/v1/tenants/" + SNAPSHOT_TENANT + "/events?snapshot=true"),
            SNAPSHOT_TENANT,
            null,
            event -> {
              if ("snapshot".equals(event.name())) {
                received[0]++;
              } else if ("snapshot-end".equals(event.name())) {
                endedAt[0] = System.nanoTime();
                end.countDown();
              }
            })) {
      await(end, "snapshot-end of " + SNAPSHOT_TENANT);
    }
    if (received[0] != documents) {
      throw new IllegalStateException(
          "events?snapshot=true sent " + received[0] + " documents, expected " + documents);
    }
    return endedAt[0] - started;
  }

  private static byte[] get(URI uri) {
    try {
      HttpResponse<byte[]> response =
          HTTP.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            uri
                + " answered "
                + response.statusCode()
                + ": "
                + new String(response.body(), StandardCharsets.UTF_8));
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The page's {@code next} cursor, read from its tail (the body is not parsed). */
  private static String next(byte[] body) {
    int from = Math.max(0, body.length - 2_048);
    String tail = new String(body, from, body.length - from, StandardCharsets.UTF_8);
    Matcher next = NEXT.matcher(tail);
    String cursor = null;
    while (next.find()) {
      cursor = next.group(2);
    }
    return cursor == null ? null : java.net.URLEncoder.encode(cursor, StandardCharsets.UTF_8);
  }

  private static JsonNode parse(byte[] body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- bursts ----

  /** Document changes over {@link #BURST_TENANTS} tenants, the same sequence for every edge. */
  private static final class Burster {
    private final Random random;
    private final DocumentEnvelopes envelopes;
    private final Map<String, Long> ids = new HashMap<>();
    private final Map<String, List<Integer>> live = new HashMap<>();
    private final Map<String, Integer> keys = new HashMap<>();

    Burster(Random random, DocumentEnvelopes envelopes) {
      this.random = random;
      this.envelopes = envelopes;
    }

    /** {@code count} envelopes, built before they are timed. */
    List<String[]> next(int count) {
      List<String[]> records = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String tenant = "bench-burst-" + random.nextInt(BURST_TENANTS);
        long id = ids.merge(tenant, 1L, Long::sum);
        List<Integer> docs = live.computeIfAbsent(tenant, t -> new ArrayList<>());
        int r = random.nextInt(100);
        String json;
        if (docs.size() < 10 || r < 40) {
          int n = keys.merge(tenant, 1, Integer::sum);
          docs.add(n);
          json = envelopes.insert(tenant, id, key(n), 1);
        } else if (r < 80) {
          int n = docs.get(random.nextInt(docs.size()));
          json = envelopes.update(tenant, id, key(n), (int) id);
        } else {
          int n = docs.remove(random.nextInt(docs.size()));
          json = envelopes.delete(tenant, id, key(n));
        }
        records.add(new String[] {tenant, json});
      }
      return records;
    }
  }

  private ObjectNode burst(
      StateEdge edge,
      KafkaProducer<String, String> producer,
      String topic,
      Burster burster,
      int events,
      int index,
      boolean stateOn) {
    List<String[]> records = burster.next(events);
    String markerId = Integer.toString(index);
    CountDownLatch marker = new CountDownLatch(1);
    long[] markedAt = {0};
    ObjectNode burst = JSON.objectNode();
    burst.set("loadAverage", Environment.loadAverage());
    try (SseClient tail =
        SseClient.open(
            edge.url(),
            MARKER_TENANT,
            Integer.toString(index - 1),
            event -> {
              if (event.name() == null && markerId.equals(event.id())) {
                markedAt[0] = System.nanoTime();
                marker.countDown();
              }
            })) {
      long cpuBefore = edge.cpuNanos();
      long started = System.nanoTime();
      for (String[] record : records) {
        send(producer, topic, record[0], record[1]);
      }
      send(producer, topic, MARKER_TENANT, envelopes.insert(MARKER_TENANT, index, key(index), 1));
      producer.flush();
      long produced = System.nanoTime();
      await(marker, "burst marker " + index);
      long cpuHandedOver = edge.cpuNanos();
      // The state trails the hand-over: the burst's work is done when it has applied the marker.
      long applied = stateOn ? awaitApplied(edge.url(), index) : markedAt[0];
      long cpuAfter = edge.cpuNanos();
      burst.put("events", events);
      burst.put("produceSeconds", round((produced - started) / 1e9));
      burst.put("producerEventsPerSecond", Math.round(events / ((produced - started) / 1e9)));
      burst.put("seconds", round((markedAt[0] - started) / 1e9));
      burst.put("eventsPerSecond", Math.round(events / ((markedAt[0] - started) / 1e9)));
      burst.put("edgeCpuMicrosPerEvent", round((cpuAfter - cpuBefore) / 1_000.0 / events));
      burst.put(
          "edgeCpuMicrosPerEventToHandOver", round((cpuHandedOver - cpuBefore) / 1_000.0 / events));
      burst.put("stateAppliedSeconds", round((applied - started) / 1e9));
      burst.put("stateEventsPerSecond", Math.round(events / ((applied - started) / 1e9)));
      // the edge was the limit only if it finished clearly after the producer
      burst.put("edgeBound", markedAt[0] - produced > (produced - started) / 4);
    }
    log.info("document-state: burst {} on {}: {}", index, topic, burst);
    return burst;
  }

  /**
   * Polls the marker tenant's snapshot until its {@code asOf} reaches {@code id} (the state has
   * applied every event before the marker: one topic partition, applied in order); returns when.
   */
  private static long awaitApplied(URI edge, long id) {
    URI uri = edge.resolve("/v1/tenants/" + MARKER_TENANT + "/snapshot?limit=1");
    Pattern asOf = Pattern.compile("\"asOf\"\\s*:\\s*\"(\\d+)\"");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = asOf.matcher(new String(get(uri), StandardCharsets.UTF_8));
      if (m.find() && Long.parseLong(m.group(1)) >= id) {
        return System.nanoTime();
      }
      try {
        Thread.sleep(5); // a poll interval, not a synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException("the state did not apply marker " + id + " within " + TIMEOUT);
  }

  // ---- Kafka ----

  private KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.LINGER_MS_CONFIG,
            "5",
            ProducerConfig.BATCH_SIZE_CONFIG,
            Integer.toString(512 * 1024),
            ProducerConfig.ACKS_CONFIG,
            "1",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Integer.toString(4 * 1024 * 1024)),
        new StringSerializer(),
        new StringSerializer());
  }

  private static void send(
      KafkaProducer<String, String> producer, String topic, String tenant, String json) {
    producer.send(new ProducerRecord<>(topic, tenant, json));
  }

  private long endOffset(String topic) {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
            new StringDeserializer(),
            new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      return consumer.endOffsets(List.of(partition)).get(partition);
    }
  }

  // ---- helpers ----

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(what + " not received within " + TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
