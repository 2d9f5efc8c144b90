package io.changecast.router.internal;

import io.changecast.router.RouterConfig;
import io.changecast.router.RouterMetrics;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams properties for a {@link RouterConfig}. */
public final class StreamsProperties {

  /** How soon a new raw topic (a collection's first change) is picked up. */
  static final long NEW_TOPIC_DISCOVERY_MS = 3000;

  private StreamsProperties() {}

  /**
   * Exactly-once v2, a short commit interval and no record caches (latency over throughput), the
   * router's deserialization handler; then the {@code streams.*} pass-through, which wins.
   */
  public static Properties from(RouterConfig config, RouterMetrics metrics) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitIntervalMs()));
    props.put(
        StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(config.topicsReplicationFactor()));
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    // Raw topics appear when a collection first changes; the pattern subscription notices them at
    // the next metadata refresh (Kafka's default is five minutes). New topics are read from the
    // beginning, so nothing written before is lost.
    props.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG),
        Long.toString(NEW_TOPIC_DISCOVERY_MS));
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        RouterDeserializationHandler.class.getName());
    // No global stores; opting in silences Kafka 4.x's startup warning and matches the 5.0 default
    // (the key's constant is already deprecated in 4.3, hence the literal).
    props.put("processing.exception.handler.global.enabled", "true");
    props.put(RouterDeserializationHandler.DLQ_TOPIC_CONFIG, config.dlqTopic());
    if (metrics != null) {
      props.put(RouterDeserializationHandler.METRICS_CONFIG, metrics);
    }
    props.putAll(config.streamsProperties());
    return props;
  }
}
