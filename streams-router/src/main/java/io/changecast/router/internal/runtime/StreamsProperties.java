package io.changecast.router.internal.runtime;

import io.changecast.router.config.RouterConfig;
import io.changecast.router.metrics.RouterMetrics;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams properties for a {@link RouterConfig}. */
public final class StreamsProperties {

  /** How soon a new raw topic (a collection's first change) is picked up. */
  static final long NEW_TOPIC_DISCOVERY_MS = 3000;

  /** Bounds of the stream thread's poll and fetch waits, which follow the commit interval. */
  static final long MIN_WAIT_MS = 10;

  static final long MAX_WAIT_MS = 100;

  /**
   * The record cache of the stream threads. Only the stores whose keys repeat have caching on
   * ({@code dedupe-tokens}: one high-water mark per source partition; {@code tenant-sequences}: one
   * key per tenant): their changelog gets one record per key and commit instead of one per event.
   * Caching delays no output (processors forward directly) and is flushed at each commit, inside
   * its transaction.
   */
  static final long RECORD_CACHE_BYTES = 4L * 1024 * 1024;

  /** The producer's first retry after a refused send (Kafka's default is 100 ms). */
  static final long PRODUCER_RETRY_BACKOFF_MS = 10;

  private StreamsProperties() {}

  /**
   * Exactly-once v2, a short commit interval, a record cache for the stores with caching on, waits
   * bounded by the commit interval, the router's deserialization handler; then the {@code
   * streams.*} pass-through, which wins.
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
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(RECORD_CACHE_BYTES));
    // Under exactly_once_v2 a record is visible downstream (the repartition by tenant, then the
    // events topic) only after the next commit, and Kafka Streams commits only between polls: a
    // poll blocking for Kafka's default 100 ms, or a fetch parked on the broker for its default
    // 500 ms (the consumer sends no new fetch to a broker while one is parked there, so partitions
    // that just ran dry wait for it), would hold processed records back past the commit interval.
    // Live commits are requested from a wall-clock punctuator, which runs between polls too.
    long cadence =
        config.commitLiveIntervalMs() > 0
            ? Math.min(config.commitIntervalMs(), config.commitLiveIntervalMs())
            : config.commitIntervalMs();
    String wait = Long.toString(waitMs(cadence));
    props.put(StreamsConfig.POLL_MS_CONFIG, wait);
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), wait);
    // A task merges independent inputs (under direct sequencing every raw topic and the ingest
    // topic; under by-tenant the repartitions of change events and of ingested events); their
    // relative order carries no meaning, so it never waits for one of them (the default 0 holds a
    // task back until the consumer knows the empty input's lag).
    props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    // Transactions v2 (Kafka 4.x): a transaction's first send to a partition can be refused with
    // CONCURRENT_TRANSACTIONS while the previous commit's markers are still being written (a few
    // ms on a local broker). The producer then waits retry.backoff.ms before sending again, 100 ms
    // by default, and the commit's flush waits with it. Measured: every start retries a few batches
    // this way, and with a 25 ms commit interval at 1k writes/s 72 records were retried in 5 s;
    // none in steady state at the default 50 ms. Exponential backoff (retry.backoff.max.ms, 1 s)
    // still spaces out retries against a broker that stays unavailable.
    props.put(
        StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG),
        Long.toString(PRODUCER_RETRY_BACKOFF_MS));
    // The producer keeps Kafka Streams' linger.ms of 100 ms: under exactly_once_v2 every commit
    // flushes it, so linger only bounds batching between commits (a bench run with 5 ms sent more,
    // smaller requests and drained the backlog no faster; at 100 writes/s it moved time from the
    // commit's flush to sendOffsetsToTransaction, total latency within the noise).
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

  /** The commit interval, within [{@value #MIN_WAIT_MS}, {@value #MAX_WAIT_MS}] ms. */
  static long waitMs(long commitIntervalMs) {
    return Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, commitIntervalMs));
  }
}
