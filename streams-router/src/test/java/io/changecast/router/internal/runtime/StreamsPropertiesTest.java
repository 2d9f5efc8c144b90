package io.changecast.router.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.router.config.RouterConfig;
import io.changecast.router.metrics.RouterMetrics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {

  @Test
  void exactlyOnceLowLatencyAndTheRoutersHandlers() {
    RouterMetrics metrics = RouterMetrics.inMemory();
    Properties props =
        StreamsProperties.from(
            RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", "application.id", "r-1")),
            metrics);

    assertThat(props)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "r-1")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "b:1")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50")
        .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "-1")
        .containsEntry(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "4194304")
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, "10")
        .containsEntry(StreamsConfig.mainConsumerPrefix("fetch.max.wait.ms"), "10")
        .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1")
        .containsEntry(StreamsConfig.producerPrefix("retry.backoff.ms"), "10")
        .containsEntry(
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            RouterDeserializationHandler.class.getName())
        .containsEntry(RouterDeserializationHandler.DLQ_TOPIC_CONFIG, "changecast.dlq")
        .containsEntry(RouterDeserializationHandler.METRICS_CONFIG, metrics);
    // Kafka Streams accepts them as a whole, and hands the retry backoff to its producer
    StreamsConfig streamsConfig = new StreamsConfig(props);
    assertThat(streamsConfig.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(50L);
    assertThat(streamsConfig.getProducerConfigs("client-1"))
        .containsEntry("retry.backoff.ms", "10");
  }

  @Test
  void pollAndFetchWaitsFollowTheCommitCadenceWithinBounds() {
    assertThat(waits("20", "0")).containsExactly("20", "20");
    assertThat(waits("0", "0")).containsExactly("10", "10");
    assertThat(waits("1000", "0")).containsExactly("100", "100");
    // live commits are requested on a wall-clock tick, which runs between polls
    assertThat(waits("1000", "30")).containsExactly("30", "30");
    assertThat(waits("20", "30")).containsExactly("20", "20");
  }

  private static java.util.List<Object> waits(String commitIntervalMs, String liveIntervalMs) {
    Properties props =
        StreamsProperties.from(
            RouterConfig.fromMap(
                Map.of(
                    "bootstrap.servers",
                    "b:1",
                    "commit.interval.ms",
                    commitIntervalMs,
                    "commit.live.interval.ms",
                    liveIntervalMs)),
            RouterMetrics.inMemory());
    return java.util.List.of(
        props.get(StreamsConfig.POLL_MS_CONFIG),
        props.get(StreamsConfig.mainConsumerPrefix("fetch.max.wait.ms")));
  }

  @Test
  void kafkaStreamsConfiguresTheHandlerWithTheDlqTopicAndMetrics() {
    RouterMetrics metrics = RouterMetrics.inMemory();
    Properties props =
        StreamsProperties.from(RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1")), metrics);

    var handler = new StreamsConfig(props).deserializationExceptionHandler();
    var response =
        handler.handleError(
            null,
            new org.apache.kafka.clients.consumer.ConsumerRecord<>(
                "t", 0, 0L, null, new byte[] {1}),
            new RuntimeException("x"));

    assertThat(response.deadLetterQueueRecords())
        .extracting(org.apache.kafka.clients.producer.ProducerRecord::topic)
        .containsExactly("changecast.dlq");
    assertThat(
            metrics
                .registry()
                .counter(RouterMetrics.INVALID, "reason", "deserialization-failed")
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void streamsPassThroughWins() {
    Properties props =
        StreamsProperties.from(
            RouterConfig.fromMap(
                Map.of(
                    "bootstrap.servers", "b:1",
                    "streams.commit.interval.ms", "5",
                    "streams.num.stream.threads", "3",
                    "streams.producer.retry.backoff.ms", "100")),
            RouterMetrics.inMemory());

    assertThat(props)
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "5")
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "3")
        .containsEntry(StreamsConfig.producerPrefix("retry.backoff.ms"), "100");
  }
}
