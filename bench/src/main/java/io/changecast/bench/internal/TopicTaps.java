package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Side consumers that stamp (with {@link Clock}) when each latency write becomes readable: on the
 * raw topics, as the router's consumer could first read it ({@code read_uncommitted}: Connect does
 * not write transactionally), and on the events topic, as the edge reads it ({@code
 * read_committed}: after the router's output commit). They turn the envelope's two hops into four:
 * Connect, the router up to {@code routedAt}, the router's output commit, and the edge. Each tap
 * reads from the beginning in a group of its own and keeps only records whose value names a latency
 * tenant.
 */
public final class TopicTaps implements AutoCloseable {

  /** Values of other scenarios are skipped without parsing. */
  private static final String TENANT_MARK = "bench-latency-";

  private static final Logger log = LoggerFactory.getLogger(TopicTaps.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tap raw;
  private final Tap events;

  public TopicTaps(String bootstrapServers, Pattern rawTopics, String eventsTopic) {
    raw =
        new Tap(
            bootstrapServers,
            "read_uncommitted",
            c -> c.subscribe(rawTopics),
            TopicTaps::fromChangeEvent);
    events =
        new Tap(
            bootstrapServers,
            "read_committed",
            c -> c.subscribe(List.of(eventsTopic)),
            TopicTaps::fromEnvelope);
  }

  /** When write {@code seq} of {@code tenant} was first read from a raw topic, if seen. */
  public Long rawMicros(String tenant, int seq) {
    return raw.seen.get(key(tenant, seq));
  }

  /** When write {@code seq} of {@code tenant} was first read committed from the events topic. */
  public Long eventsMicros(String tenant, int seq) {
    return events.seen.get(key(tenant, seq));
  }

  @Override
  public void close() {
    raw.close();
    events.close();
  }

  private static String key(String tenant, int seq) {
    return tenant + '\u0000' + seq;
  }

  /** A raw change event (the connector's JSON, possibly as a JSON string): its document's ids. */
  private static String fromChangeEvent(JsonNode event) {
    JsonNode value = event.isTextual() ? parse(event.asText()) : event;
    return value == null ? null : idOf(value.path("fullDocument"));
  }

  private static String fromEnvelope(JsonNode envelope) {
    return idOf(envelope.path("document"));
  }

  private static String idOf(JsonNode document) {
    JsonNode tenant = document.path("tenantId");
    JsonNode seq = document.path("seq");
    if (!tenant.isTextual() || seq.isMissingNode() || document.path("warmup").asBoolean(false)) {
      return null;
    }
    return key(tenant.asText(), (int) LatencyScenario.longValue(seq));
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  /** One consumer thread recording the first read of each id. */
  private static final class Tap implements AutoCloseable {
    final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;

    Tap(
        String bootstrapServers,
        String isolation,
        Consumer<KafkaConsumer<String, String>> subscribe,
        Function<JsonNode, String> idOf) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-tap-" + UUID.randomUUID());
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
      // a parked fetch must not hide when a record became readable
      props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
      props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "1000"); // new raw topics
      consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
      subscribe.accept(consumer);
      thread =
          new Thread(
              () -> {
                try {
                  while (true) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long now = Clock.nowMicros();
                    for (ConsumerRecord<String, String> r : records) {
                      if (r.value() == null || !r.value().contains(TENANT_MARK)) {
                        continue;
                      }
                      JsonNode value = parse(r.value());
                      String id = value == null ? null : idOf.apply(value);
                      if (id != null) {
                        seen.putIfAbsent(id, now);
                      }
                    }
                  }
                } catch (WakeupException e) {
                  // closing
                } catch (RuntimeException e) {
                  log.warn("latency tap ({}) stopped", isolation, e);
                } finally {
                  consumer.close();
                }
              },
              "bench-tap-" + isolation);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      consumer.wakeup();
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
