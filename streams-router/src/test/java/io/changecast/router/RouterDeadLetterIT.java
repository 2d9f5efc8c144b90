package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.router.internal.process.DeadLetters;
import io.changecast.testsupport.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Bad input on a real broker: 10% malformed raw records among valid change events. Every malformed
 * one must reach the dead-letter topic with its reason and origin, every valid one the events
 * topic, nothing else, and the router must stay {@code RUNNING}.
 */
class RouterDeadLetterIT {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int VALID = 1_800;
  private static final int MALFORMED = 200;
  private static final int MAX_RECORD_BYTES = 4096;

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @TempDir Path stateDir;

  /** A kind of bad record and the reason the router must give for it. */
  private record Malformed(String reason, String value) {}

  @Test
  void everyMalformedRecordIsDeadLetteredAndTheRouterStaysRunning() throws Exception {
    String run = KafkaBroker.unique("dlq");
    String eventsTopic = run + ".events";
    String dlqTopic = run + ".dlq";
    for (String collection : SourceEvents.COLLECTIONS) {
      kafka.createTopic(SourceEvents.topic(run, collection), 1);
    }
    kafka.createTopic(eventsTopic, 6);
    kafka.createTopic(dlqTopic, 1);
    long seed = Long.getLong("changecast.dlq.seed", System.nanoTime());
    LoggerFactory.getLogger(RouterDeadLetterIT.class).info("Dead-letter test: seed {}", seed);
    Random random = new Random(seed);
    List<SourceEvents.Change> valid = SourceEvents.generate(run, VALID, 10, seed);

    RouterConfig config =
        RouterConfig.fromMap(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "application.id",
                run,
                "state.dir",
                stateDir.toString(),
                "raw.topic.pattern",
                Pattern.quote(run + ".raw.") + ".+",
                "events.topic",
                eventsTopic,
                "dlq.topic",
                dlqTopic,
                "ingest.topic",
                "",
                "max.record.bytes",
                Integer.toString(MAX_RECORD_BYTES)));
    Set<KafkaStreams.State> states = ConcurrentHashMap.newKeySet();
    try (ChangecastRouter router = ChangecastRouter.start(config);
        CommittedReader reader =
            new CommittedReader(kafka.bootstrapServers(), List.of(eventsTopic, dlqTopic));
        KafkaProducer<String, String> producer = kafka.producer(Map.of())) {
      await("router running")
          .atMost(Duration.ofMinutes(1))
          .until(() -> router.state() == KafkaStreams.State.RUNNING);

      // Malformed records at random places among the valid ones, by origin (topic/offset).
      List<Integer> badSlots = new ArrayList<>();
      for (int i = 0; i < VALID + MALFORMED; i++) {
        badSlots.add(i);
      }
      Collections.shuffle(badSlots, random);
      Set<Integer> bad = Set.copyOf(badSlots.subList(0, MALFORMED));
      Map<Future<RecordMetadata>, Malformed> badByFuture = new HashMap<>();
      int nextValid = 0;
      int nextBad = 0;
      for (int i = 0; i < VALID + MALFORMED; i++) {
        if (bad.contains(i)) {
          Malformed m = malformed(nextBad++, nextValid);
          String topic = SourceEvents.topic(run, SourceEvents.COLLECTIONS.get(i % 2));
          Future<RecordMetadata> f = producer.send(new ProducerRecord<>(topic, "k" + i, m.value()));
          badByFuture.put(f, m);
        } else {
          SourceEvents.Change c = valid.get(nextValid++);
          producer.send(new ProducerRecord<>(c.topic(), c.key(), c.value()));
        }
        if (i % 100 == 0) {
          states.add(router.state());
        }
      }
      producer.flush();
      Map<String, Malformed> expectedDeadLetters = new HashMap<>(); // "topic/partition/offset"
      for (Map.Entry<Future<RecordMetadata>, Malformed> e : badByFuture.entrySet()) {
        RecordMetadata md = e.getKey().get();
        expectedDeadLetters.put(
            md.topic() + "/" + md.partition() + "/" + md.offset(), e.getValue());
      }

      await("every record routed or dead-lettered")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                states.add(router.state());
                return reader.count(eventsTopic) + reader.count(dlqTopic) >= VALID + MALFORMED;
              });
      await("reader caught up").atMost(Duration.ofMinutes(1)).until(reader::caughtUp);
      states.add(router.state());

      assertThat(states)
          .as("router states seen while it worked")
          .containsOnly(KafkaStreams.State.RUNNING);
      assertThat(router.stopped()).isNotDone();
      assertThat(reader.count(dlqTopic)).as("dead letters").isEqualTo(MALFORMED);
      assertThat(reader.count(eventsTopic)).as("routed events").isEqualTo(VALID);
      assertThat(reader.count(dlqTopic) + reader.count(eventsTopic)).isEqualTo(VALID + MALFORMED);

      Map<String, Malformed> deadLetters = new HashMap<>();
      Map<String, List<Long>> ids = new TreeMap<>();
      for (ConsumerRecord<String, String> r : reader.records()) {
        if (r.topic().equals(dlqTopic)) {
          String origin =
              header(r, DeadLetters.TOPIC)
                  + "/"
                  + header(r, DeadLetters.PARTITION)
                  + "/"
                  + header(r, DeadLetters.OFFSET);
          assertThat(header(r, DeadLetters.STAGE)).as("stage of %s", origin).isNotBlank();
          assertThat(header(r, DeadLetters.DETAIL)).as("detail of %s", origin).isNotBlank();
          deadLetters.put(origin, new Malformed(header(r, DeadLetters.REASON), r.value()));
        } else {
          JsonNode envelope = MAPPER.readTree(r.value());
          ids.computeIfAbsent(envelope.get("tenant").asText(), t -> new ArrayList<>())
              .add(Long.parseLong(envelope.get("id").asText()));
        }
      }
      // 100% of the malformed records, each with its reason and its original value.
      assertThat(deadLetters).isEqualTo(expectedDeadLetters);
      // Dead letters consume no id: each tenant's ids are still exactly 1..N.
      Map<String, Long> perTenant = new TreeMap<>();
      valid.forEach(c -> perTenant.merge(c.tenant(), 1L, Long::sum));
      assertThat(ids.keySet()).isEqualTo(perTenant.keySet());
      perTenant.forEach(
          (tenant, n) ->
              assertThat(ids.get(tenant))
                  .as("ids of %s", tenant)
                  .isEqualTo(LongStream.rangeClosed(1, n).boxed().toList()));
      assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }
  }

  /**
   * The {@code n}-th malformed record: a rotation over the ways raw input goes wrong. Its resume
   * token follows the {@code validSent}-th valid change's in stream order (a longer KeyString with
   * the same prefix) and precedes the next one's, as a change stream would hand it out: the router
   * drops a token not above its partition's greatest as a replay.
   */
  private static Malformed malformed(int n, int validSent) {
    String token =
        "\"_id\": {\"_data\": \"8265%016X2B022C0100296E5A1004FF%04X\"}".formatted(validSent, n);
    String ns = "\"ns\": {\"db\": \"app\", \"coll\": \"orders\"}";
    String key = "\"documentKey\": {\"_id\": {\"$oid\": \"bad%021x\"}}".formatted(n);
    String clusterTime = "\"clusterTime\": {\"$timestamp\": {\"t\": 1700000000, \"i\": 1}}";
    return switch (n % 9) {
      case 0 -> new Malformed("null-value", null);
      case 1 -> new Malformed("malformed-json", "{" + token + ", \"operationType\": \"ins");
      case 2 -> new Malformed("not-an-object", "[\"insert\", " + n + "]");
      case 3 ->
          new Malformed(
              "missing-field",
              "{%s, \"operationType\": \"insert\", %s, %s, \"fullDocument\": {\"tenantId\": \"t\"}}"
                  .formatted(token, clusterTime, key));
      case 4 ->
          new Malformed(
              "invalid-field",
              "{%s, \"operationType\": \"insert\", %s, \"ns\": \"app.orders\", %s, \"fullDocument\": {\"tenantId\": \"t\"}}"
                  .formatted(token, clusterTime, key));
      case 5 -> // drop is a normal operation now (a reset); an unknown type is not
          new Malformed(
              "unsupported-operation",
              "{%s, \"operationType\": \"truncate\", %s, %s}".formatted(token, clusterTime, ns));
      case 6 ->
          new Malformed(
              "tenant-unresolved",
              "{%s, \"operationType\": \"insert\", %s, %s, %s, \"fullDocument\": {\"total\": 1}}"
                  .formatted(token, clusterTime, ns, key));
      case 7 ->
          new Malformed(
              "too-large",
              "{%s, \"operationType\": \"insert\", %s, %s, %s, \"fullDocument\": {\"tenantId\": \"t\", \"blob\": \"%s\"}}"
                  .formatted(token, clusterTime, ns, key, "x".repeat(MAX_RECORD_BYTES)));
      default -> // a delete of a document the router never saw: no tenant to give it
          new Malformed(
              "tenant-unresolved",
              "{%s, \"operationType\": \"delete\", %s, %s, %s}"
                  .formatted(token, clusterTime, ns, key));
    };
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
