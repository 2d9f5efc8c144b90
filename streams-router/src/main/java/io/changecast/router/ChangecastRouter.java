package io.changecast.router;

import io.changecast.router.config.RouterConfig;
import io.changecast.router.config.Sequencing;
import io.changecast.router.config.SequencingException;
import io.changecast.router.internal.runtime.StreamsProperties;
import io.changecast.router.internal.runtime.TopicProvisioner;
import io.changecast.router.internal.serde.RouterTopics;
import io.changecast.router.internal.tracing.TracingClientSupplier;
import io.changecast.router.metrics.RouterMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running router: the Kafka Streams application built by {@link RouterTopology}, with its output
 * topics ensured at start. Close it to stop.
 */
public final class ChangecastRouter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChangecastRouter.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final CompletableFuture<KafkaStreams.State> stopped;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ChangecastRouter(
      KafkaStreams streams,
      KafkaStreamsMetrics streamsMetrics,
      CompletableFuture<KafkaStreams.State> stopped) {
    this.streams = streams;
    this.streamsMetrics = streamsMetrics;
    this.stopped = stopped;
  }

  /** Starts the router with in-memory metrics; see {@link #start(RouterConfig, MeterRegistry)}. */
  public static ChangecastRouter start(RouterConfig config) {
    return start(config, new SimpleMeterRegistry());
  }

  /**
   * Creates the events, dead-letter and ingest topics when missing (the ingest topic with {@code
   * raw.partitions} partitions under direct sequencing), checks that direct sequencing's input
   * topics have {@code raw.partitions} partitions each and that its sequences were built on as
   * many, then starts Kafka Streams and returns without waiting for it to be {@code RUNNING}.
   * Router and Kafka Streams meters go to {@code registry}.
   *
   * @throws org.apache.kafka.common.KafkaException when the topics cannot be ensured
   * @throws SequencingException when direct sequencing meets a topic with several partitions
   */
  public static ChangecastRouter start(RouterConfig config, MeterRegistry registry) {
    RouterMetrics metrics = new RouterMetrics(registry, config.tenantLagMaxTenants());
    Properties props = StreamsProperties.from(config, metrics);
    ensureTopics(
        config, new StreamsConfig(props).getAdminConfigs(config.applicationId() + "-setup"));
    KafkaStreams streams =
        new KafkaStreams(
            RouterTopology.build(config, metrics),
            props,
            new TracingClientSupplier(Set.of(config.eventsTopic(), config.dlqTopic())));
    metrics.bindState(streams::state);
    CompletableFuture<KafkaStreams.State> stopped = new CompletableFuture<>();
    streams.setUncaughtExceptionHandler(ChangecastRouter::onStreamThreadFailure);
    streams.setStateListener(
        (newState, oldState) -> {
          LOG.info("Router state {} -> {}", oldState, newState);
          if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
            stopped.complete(newState);
          }
        });
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    try {
      streamsMetrics.bindTo(registry);
      streams.start();
    } catch (RuntimeException e) {
      streamsMetrics.close();
      streams.close(CLOSE_TIMEOUT);
      throw e;
    }
    LOG.info(
        "Router {} started: {} -> {} (dead letters: {}), tenant {}, {} collection rules",
        config.applicationId(),
        config.rawTopicPattern(),
        config.eventsTopic(),
        config.dlqTopic(),
        config.tenantStrategy(),
        config.collections().size());
    return new ChangecastRouter(streams, streamsMetrics, stopped);
  }

  /**
   * What a failed stream thread leads to: the router stops on errors a new thread would meet again
   * (a sequencing error, a partition mismatch, a store a failed thread left locked), else the
   * thread is replaced.
   */
  static StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
    if (anyCause(e, SequencingException.class::isInstance)) {
      LOG.error("Router stopping: {}", e.getMessage(), e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    if (anyCause(e, ChangecastRouter::isPartitionMismatch)) {
      // A new thread would meet the same topics: stop instead of replacing threads forever.
      LOG.error(
          "Router stopping: an input topic has more partitions than the router's state"
              + " topics were created for. Raw topics (and, under direct sequencing, the"
              + " ingest topic) must keep raw.partitions partitions; see the README, Router."
              + " Cause: {}",
          e.getMessage(),
          e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    if (anyCause(e, ChangecastRouter::isStoreLockedInProcess)) {
      // A failed thread left a store open (e.g. Kafka Streams' unclean recycle of a task):
      // every replacement thread would fail on its lock. Stop; a supervisor restarts the JVM.
      LOG.error(
          "Router stopping: a state store is still locked by a failed stream thread of this"
              + " process, so a replacement thread cannot open it. Restart the router"
              + " (docker-compose.yml restarts it). Cause: {}",
          e.getMessage(),
          e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    LOG.error("Router stream thread failed; replacing it", e);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** Kafka Streams' refusal of an internal topic whose partition count no longer fits. */
  private static boolean isPartitionMismatch(Throwable e) {
    return e instanceof StreamsException
        && e.getMessage() != null
        && e.getMessage().contains("has invalid partitions");
  }

  /** RocksDB's refusal of a store whose lock another handle of this same process holds. */
  static boolean isStoreLockedInProcess(Throwable e) {
    return e instanceof org.rocksdb.RocksDBException
        && e.getMessage() != null
        && e.getMessage().contains("lock hold by current process");
  }

  static boolean anyCause(Throwable error, Predicate<Throwable> test) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (test.test(e)) {
        return true;
      }
    }
    return false;
  }

  private static void ensureTopics(RouterConfig config, Map<String, Object> admin) {
    boolean direct = config.sequencing() == Sequencing.DIRECT;
    TopicProvisioner.ensureTopics(
        admin,
        List.of(config.eventsTopic(), config.dlqTopic()),
        config.eventsPartitions(),
        config.topicsReplicationFactor(),
        ADMIN_TIMEOUT);
    if (!config.ingestTopic().isEmpty()) {
      TopicProvisioner.ensureTopics(
          admin,
          List.of(config.ingestTopic()),
          direct ? config.rawPartitions() : config.eventsPartitions(),
          config.topicsReplicationFactor(),
          ADMIN_TIMEOUT);
    }
    if (direct) {
      String changelog =
          config.applicationId() + "-" + RouterTopology.TENANT_SEQUENCES_STORE + "-changelog";
      Map<String, Integer> counts =
          TopicProvisioner.partitionCounts(
              admin,
              RouterTopics.from(config).directSources().pattern(),
              Set.of(changelog),
              ADMIN_TIMEOUT);
      partitionProblem(config.rawPartitions(), counts, changelog)
          .ifPresent(
              problem -> {
                throw new SequencingException(problem);
              });
    }
  }

  /**
   * Why the topics' partition counts ({@code counts}: raw and ingest topics and, when it exists,
   * the sequences changelog {@code changelog}) do not fit {@code raw.partitions}, or empty.
   */
  static Optional<String> partitionProblem(
      int rawPartitions, Map<String, Integer> counts, String changelog) {
    Integer built = counts.get(changelog);
    if (built != null && built != rawPartitions) {
      return Optional.of(
          "The router's sequences were built on "
              + built
              + " partition(s) (topic "
              + changelog
              + "), but "
              + RouterConfig.RAW_PARTITIONS
              + " is "
              + rawPartitions
              + ": changing the partition count of a running deployment would move tenants"
              + " between tasks and restart or fork their ids. Keep "
              + RouterConfig.RAW_PARTITIONS
              + "="
              + built
              + ", or follow the README's procedure (Router, changing raw.partitions)");
    }
    Map<String, Integer> other = new TreeMap<>(counts);
    other.remove(changelog);
    other.values().removeIf(count -> count == rawPartitions);
    if (other.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "Direct sequencing with "
            + RouterConfig.RAW_PARTITIONS
            + "="
            + rawPartitions
            + " needs "
            + rawPartitions
            + " partition(s) in every raw topic and the ingest topic, but "
            + other
            + " (topic=partitions) differ"
            + (rawPartitions == 1
                ? ". Recreate them with one partition, key raw records by tenant and set "
                    + RouterConfig.RAW_PARTITIONS
                    + " to their count, or set the router's '"
                    + RouterConfig.SEQUENCING
                    + "' to by-tenant"
                : ". Create every raw topic with "
                    + rawPartitions
                    + " partitions (the connector's topic.creation.default.partitions)"));
  }

  /** The Kafka Streams state. */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Completes with {@code ERROR} or {@code NOT_RUNNING} once Kafka Streams stops. */
  CompletableFuture<KafkaStreams.State> stopped() {
    return stopped;
  }

  /** Stops Kafka Streams, waiting at most 30 seconds. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    streamsMetrics.close();
    if (!streams.close(CLOSE_TIMEOUT)) {
      LOG.warn("Router did not stop within {}", CLOSE_TIMEOUT);
    }
  }

  /**
   * Runs the router until the JVM is asked to stop. Arguments: {@code [--config FILE]} (a
   * properties file, or YAML when named *.yaml or *.yml); {@code CHANGECAST_ROUTER_*} environment
   * variables override it.
   */
  public static void main(String[] args) {
    Optional<Path> configFile;
    RouterConfig config;
    try {
      configFile = configFile(args);
      config = RouterConfig.load(configFile, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("Usage: ChangecastRouter [--config FILE]");
      System.exit(2);
      return;
    }
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
            io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    // the JVM's memory, threads, classes and CPU (jvm_*, process_*, system_*), as dashboards expect
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    ChangecastRouter router;
    try {
      router = start(config, registry);
    } catch (SequencingException e) {
      LOG.error("Router not started: {}", e.getMessage());
      System.exit(2);
      return;
    }
    if (config.metricsPort() >= 0) {
      var server =
          io.changecast.router.internal.runtime.MetricsServer.start(
              registry, config.metricsHost(), config.metricsPort(), router::state);
      LOG.info("Metrics on http://{}:{}/metrics", config.metricsHost(), server.port());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(router::close, "changecast-router-shutdown"));
    KafkaStreams.State last = router.stopped().join();
    if (last == KafkaStreams.State.ERROR) {
      LOG.error("Router stopped in state ERROR");
      router.close();
      System.exit(1);
    }
  }

  static Optional<Path> configFile(String[] args) {
    Optional<Path> file = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--config") && i + 1 < args.length) {
        file = Optional.of(Path.of(args[++i]));
      } else if (arg.startsWith("--config=") && arg.length() > "--config=".length()) {
        file = Optional.of(Path.of(arg.substring("--config=".length())));
      } else {
        throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
      }
    }
    return file;
  }
}
