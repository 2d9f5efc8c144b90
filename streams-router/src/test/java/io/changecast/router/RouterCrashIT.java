package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.router.config.Sequencing;
import io.changecast.testsupport.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once ids under crashes, on a real broker: the router runs in a child JVM that is killed
 * with SIGKILL at random points of its progress and restarted, while the raw topics receive 20 000
 * changes of 20 tenants plus ~10% connector replays. A {@code read_committed} reader must then find
 * each tenant's ids exactly 1..N, in source order, nothing lost and nothing repeated, under both
 * {@link Sequencing} modes.
 *
 * <p>{@code -Dchangecast.crash.kills=N} sets the number of kills (5; the {@code chaos} profile:
 * 20), {@code -Dchangecast.crash.seed=S} replays a run (the seed is logged).
 */
class RouterCrashIT {

  private static final Logger LOG = LoggerFactory.getLogger(RouterCrashIT.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final int EVENTS = 20_000;
  private static final int TENANTS = 20;

  /** Fresh changes the producer sends before it replays a tail of them. */
  private static final int CHUNK = 200;

  /** Changes re-sent after each chunk: 10%. */
  private static final int REPLAY = CHUNK / 10;

  /** At most this many changes are produced ahead of what the reader has seen routed. */
  private static final int AHEAD = 1_500;

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @ParameterizedTest
  @EnumSource(Sequencing.class)
  void sigkilledRouterKeepsEveryTenantsIdsGaplessInSourceOrder(Sequencing sequencing)
      throws Exception {
    int kills = Integer.getInteger("changecast.crash.kills", 5);
    long seed = Long.getLong("changecast.crash.seed", System.nanoTime());
    LOG.info("Crash test: {} sequencing, {} kills, seed {}", sequencing, kills, seed);
    Random random = new Random(seed);

    String run = KafkaBroker.unique("crash");
    Path dir = Files.createDirectories(Path.of("target", "crash-it", run));
    String eventsTopic = run + ".events";
    String dlqTopic = run + ".dlq";
    for (String collection : SourceEvents.COLLECTIONS) {
      kafka.createTopic(SourceEvents.topic(run, collection), 1);
    }
    // The router creates these too; creating them first lets the reader assign them now.
    kafka.createTopic(eventsTopic, 6);
    kafka.createTopic(dlqTopic, 1);
    Path config = writeConfig(dir, run, sequencing);
    Path log = dir.resolve("router.log");

    List<SourceEvents.Change> changes = SourceEvents.generate(run, EVENTS, TENANTS, seed);
    try (CommittedReader reader =
        new CommittedReader(kafka.bootstrapServers(), List.of(eventsTopic, dlqTopic))) {
      AtomicLong replayed = new AtomicLong();
      CompletableFuture<Void> producing =
          CompletableFuture.runAsync(
              () ->
                  produce(
                      kafka,
                      changes,
                      new Random(seed + 1),
                      () -> reader.count(eventsTopic),
                      replayed,
                      false));

      long maxStep = Math.max(2, (long) (EVENTS * 0.7 / kills));
      for (int kill = 1; kill <= kills; kill++) {
        try (RouterProcess router = RouterProcess.start(config, log, "life " + kill)) {
          long base = reader.count(eventsTopic);
          long step = 1 + (long) (random.nextDouble() * maxStep);
          await("life " + kill + ": " + step + " more events routed")
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofMillis(2))
              .until(() -> reader.count(eventsTopic) >= base + step || !router.isAlive());
          assertThat(router.isAlive())
              .as("router JVM alive before kill %d (see %s)", kill, log)
              .isTrue();
          int status = router.kill();
          assertThat(status)
              .as("exit status of SIGKILLed router")
              .isEqualTo(RouterProcess.SIGKILL_STATUS);
          LOG.info(
              "Kill {}/{} after {} routed events ({} in this life)",
              kill,
              kills,
              reader.count(eventsTopic),
              reader.count(eventsTopic) - base);
        }
      }
      assertThat(reader.count(eventsTopic))
          .as("the kills happened before the history was routed")
          .isLessThan(EVENTS);

      try (RouterProcess last = RouterProcess.start(config, log, "final life")) {
        producing.get();
        await("all raw input processed and committed")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> rawInputCommitted(kafka, run, 1) || !last.isAlive());
        assertThat(last.isAlive()).as("final router alive (see %s)", log).isTrue();
        try {
          await("all changes routed")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(50))
              .until(() -> reader.count(eventsTopic) >= EVENTS);
        } catch (ConditionTimeoutException e) {
          LOG.warn(
              "Only {} of {} events routed; checking what arrived",
              reader.count(eventsTopic),
              EVENTS);
        }
      } // SIGTERM: a clean shutdown commits what is open
      await("reader caught up").atMost(Duration.ofMinutes(1)).until(reader::caughtUp);

      List<ConsumerRecord<String, String>> records = reader.records();
      LOG.info(
          "{} events, {} dead letters, {} replayed raw records",
          reader.count(eventsTopic),
          reader.count(dlqTopic),
          replayed.get());
      assertThat(replayed.get()).as("replayed raw records").isEqualTo(EVENTS / 10);
      assertEveryTenantGaplessInSourceOrder(changes, records, eventsTopic);
      assertThat(reader.count(dlqTopic)).as("dead letters").isZero();
    }
  }

  /**
   * Sends the changes in order, each to its collection's raw topic, keeping at most {@link #AHEAD}
   * ahead of the routed count. After every {@link #CHUNK} it re-sends a run of {@code CHUNK / 10}
   * consecutive changes ending at a random point of the last two chunks, as the connector does
   * after a restart (from its last committed offset): 10% of the changes arrive twice, some after
   * the router has committed (and perhaps been killed after) their first copy. With {@code
   * keyByTenant} each record's key is its tenant (as the connector's {@code TenantHeader} with
   * {@code key=true} sets it), for tenant-partitioned raw topics.
   */
  static void produce(
      KafkaBroker kafka,
      List<SourceEvents.Change> changes,
      Random random,
      LongSupplier routed,
      AtomicLong replayed,
      boolean keyByTenant) {
    java.util.function.Function<SourceEvents.Change, ProducerRecord<String, String>> record =
        c -> new ProducerRecord<>(c.topic(), keyByTenant ? c.tenant() : c.key(), c.value());
    try (KafkaProducer<String, String> producer =
        kafka.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"))) {
      for (int from = 0; from < changes.size(); from += CHUNK) {
        int sent = from;
        await("routing to catch up")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> routed.getAsLong() >= sent - AHEAD);
        List<SourceEvents.Change> chunk =
            changes.subList(from, Math.min(from + CHUNK, changes.size()));
        chunk.forEach(c -> producer.send(record.apply(c)));
        int end = from + chunk.size();
        int replayEnd =
            Math.max(REPLAY, end - random.nextInt(Math.min(end, 2 * CHUNK) - REPLAY + 1));
        changes.subList(replayEnd - REPLAY, replayEnd).forEach(c -> producer.send(record.apply(c)));
        replayed.addAndGet(REPLAY);
        producer.flush();
      }
    }
  }

  static void assertEveryTenantGaplessInSourceOrder(
      List<SourceEvents.Change> changes,
      List<ConsumerRecord<String, String>> records,
      String eventsTopic)
      throws IOException {
    // Per tenant and collection, the source positions in source order: one raw partition each.
    Map<String, Map<String, List<Long>>> expected = new TreeMap<>();
    Map<String, Integer> expectedCount = new TreeMap<>();
    for (SourceEvents.Change change : changes) {
      expected
          .computeIfAbsent(change.tenant(), t -> new TreeMap<>())
          .computeIfAbsent(change.collection(), c -> new ArrayList<>())
          .add(change.position());
      expectedCount.merge(change.tenant(), 1, Integer::sum);
    }
    Map<String, List<Long>> ids = new TreeMap<>();
    Map<String, Map<String, List<Long>>> positions = new TreeMap<>();
    for (ConsumerRecord<String, String> record : records) {
      if (!record.topic().equals(eventsTopic)) {
        continue;
      }
      JsonNode envelope = MAPPER.readTree(record.value());
      String tenant = envelope.get("tenant").asText();
      assertThat(record.key()).isEqualTo(tenant);
      ids.computeIfAbsent(tenant, t -> new ArrayList<>())
          .add(Long.parseLong(envelope.get("id").asText()));
      JsonNode clusterTime = envelope.get("clusterTime");
      positions
          .computeIfAbsent(tenant, t -> new TreeMap<>())
          .computeIfAbsent(envelope.get("collection").asText(), c -> new ArrayList<>())
          .add(SourceEvents.position(clusterTime.get("t").asLong(), clusterTime.get("i").asLong()));
    }
    Map<String, String> problems = new LinkedHashMap<>();
    for (String tenant : expected.keySet()) {
      int n = expectedCount.get(tenant);
      List<Long> gotIds = ids.getOrDefault(tenant, List.of());
      Set<Long> want = new HashSet<>();
      expected.get(tenant).values().forEach(want::addAll);
      List<Long> got = new ArrayList<>();
      positions.getOrDefault(tenant, Map.of()).values().forEach(got::addAll);
      long lost = want.stream().filter(p -> !got.contains(p)).count();
      long duplicated = got.size() - got.stream().distinct().count();
      boolean idsOneToN = gotIds.equals(LongStream.rangeClosed(1, n).boxed().toList());
      boolean sourceOrder = expected.get(tenant).equals(positions.get(tenant));
      if (!idsOneToN || !sourceOrder || lost > 0 || duplicated > 0 || got.size() != n) {
        problems.put(
            tenant,
            "N=%d, %d envelopes, %d lost, %d duplicated, ids exactly 1..N: %s, source order: %s"
                .formatted(n, gotIds.size(), lost, duplicated, idsOneToN, sourceOrder));
      }
    }
    assertThat(ids.keySet()).as("tenants routed").isEqualTo(expected.keySet());
    assertThat(problems).as("tenants whose ids are not exactly 1..N in source order").isEmpty();
    LOG.info(
        "Checked {} tenants: {}",
        expected.size(),
        expectedCount.entrySet().stream()
            .map(e -> e.getKey() + "=1.." + e.getValue())
            .collect(Collectors.joining(", ")));
  }

  /** Whether the router's committed offsets have reached the end of every raw partition. */
  static boolean rawInputCommitted(KafkaBroker kafka, String run, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(run).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> raw = new HashMap<>();
      for (String collection : SourceEvents.COLLECTIONS) {
        for (int p = 0; p < partitions; p++) {
          raw.put(new TopicPartition(SourceEvents.topic(run, collection), p), OffsetSpec.latest());
        }
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
          admin.listOffsets(raw).all().get();
      return end.entrySet().stream()
          .allMatch(
              e ->
                  committed.get(e.getKey()) != null
                      && committed.get(e.getKey()).offset() >= e.getValue().offset());
    }
  }

  private static Path writeConfig(Path dir, String run, Sequencing sequencing) throws IOException {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("application.id", run);
    // The same state directory across restarts: the same process id, hence the same transactional
    // id, so a restart fences the killed instance's open transaction at once.
    p.setProperty("state.dir", dir.resolve("state").toAbsolutePath().toString());
    p.setProperty("raw.topic.pattern", Pattern.quote(run + ".raw.") + ".+");
    p.setProperty("events.topic", run + ".events");
    p.setProperty("dlq.topic", run + ".dlq");
    // An (idle) ingest topic: under direct sequencing it shares the raw topics' source pattern.
    p.setProperty("ingest.topic", run + ".ingest");
    p.setProperty("sequencing", sequencing.configValue());
    // Static membership: a restarted instance takes over its partitions without waiting out the
    // killed one's session.
    p.setProperty("streams.group.instance.id", run + "-router");
    Path file = dir.resolve("router.properties");
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, "RouterCrashIT");
    }
    return file;
  }
}
