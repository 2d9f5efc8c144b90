package io.changecast.edge;

import io.changecast.edge.auth.AuthMode;
import io.changecast.edge.auth.JwtSettings;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.documents.DocumentStoreOptions;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.http.EdgeServer;
import io.changecast.edge.internal.http.KafkaIngestPublisher;
import io.changecast.edge.internal.log.EventHub;
import io.changecast.edge.internal.log.EventLogTopology;
import io.changecast.edge.internal.log.KafkaEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.log.SourceClock;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Changecast SSE edge: a Kafka Streams application materialising the events topic into a
 * retained per-tenant log and, unless {@code documents.enabled=false}, the latest version of every
 * document (one global store, so every instance serves every tenant; persistent with documents) and
 * a Javalin server streaming it as Server-Sent Events on {@code GET /v1/tenants/{tenant}/events},
 * with {@code /health/live}, {@code /health/ready} and {@code /metrics}, and the write API {@code
 * POST /v1/tenants/{tenant}/events}, producing to the ingest topic.
 */
public final class ChangecastEdge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangecastEdge.class);

  private final KafkaStreams streams;
  private final Thread streamsStarter;
  private final KafkaEventLog log;
  private final EdgeServer server;
  private final KafkaIngestPublisher publisher;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EdgeMetrics metrics;
  private final boolean cleanUpOnClose;
  private final Duration closeTimeout;

  private ChangecastEdge(
      KafkaStreams streams,
      Thread streamsStarter,
      KafkaEventLog log,
      EdgeServer server,
      KafkaIngestPublisher publisher,
      EdgeMetrics metrics,
      boolean cleanUpOnClose,
      Duration closeTimeout) {
    this.metrics = metrics;
    this.cleanUpOnClose = cleanUpOnClose;
    this.closeTimeout = closeTimeout;
    this.streams = streams;
    this.streamsStarter = streamsStarter;
    this.log = log;
    this.server = server;
    this.publisher = publisher;
  }

  /**
   * Starts the HTTP server, then Kafka Streams in the background; returns once HTTP listens. The
   * edge is not {@link #ready()} (and SSE requests get 503) until the global store has read the
   * events topic up to its end: {@code KafkaStreams.start()} blocks for that whole restoration, so
   * it runs on its own thread while {@code /health/live} already answers.
   */
  public static ChangecastEdge start(EdgeConfig config) {
    EdgeMetrics metrics = new EdgeMetrics();
    EventHub hub = new EventHub();
    SourceClock clock = new SourceClock();
    AtomicReference<KafkaEventLog> logRef = new AtomicReference<>();
    Optional<Documents> documents =
        config.documentsEnabled()
            ? Optional.of(new Documents(() -> logRef.get().state()))
            : Optional.empty();
    Topology topology =
        EventLogTopology.build(
            config.eventsTopic(),
            config.retentionEventsPerTenant(),
            config.retentionMaxAge(),
            hub,
            clock,
            metrics::recordSkipped,
            metrics::inputAge,
            documents,
            metrics::recordRead);
    KafkaStreams streams = new KafkaStreams(topology, streamsProperties(config));
    if (!config.documentsEnabled()) {
      // An in-memory store starts from the topic's start: drop what a persistent run left (its
      // checkpoint would make the in-memory store start from there, empty).
      streams.cleanUp();
    }
    streams.setUncaughtExceptionHandler(
        error -> {
          LOG.error("Kafka Streams failed; the edge reports not ready", error);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    KafkaEventLog log = new KafkaEventLog(streams, hub, clock, documents);
    logRef.set(log);
    KafkaIngestPublisher publisher =
        KafkaIngestPublisher.create(
            config.bootstrapServers(), config.ingestTopic(), config.writeTimeout());
    EdgeServer server;
    try {
      server = EdgeServer.start(config, log, log::readiness, metrics, publisher);
    } catch (RuntimeException e) {
      publisher.close();
      streams.close(config.shutdownTimeout()); // created, never started: release its clients
      throw e;
    }
    Thread streamsStarter = startInBackground(streams);
    LOG.info(
        "Changecast edge listening on http://{}:{} (topic {}, application.id {})",
        config.httpHost(),
        server.port(),
        config.eventsTopic(),
        config.applicationId());
    if (config.authMode() == AuthMode.NONE) {
      LOG.warn(
          "!!! AUTHENTICATION IS DISABLED (auth.mode=none): anyone who can reach {}:{} can read"
              + " every tenant's events. Use this for local development only. !!!",
          config.httpHost(),
          server.port());
    } else {
      LOG.info(
          "Authentication: auth.mode={} {}", config.authMode().configValue(), config.jwt().get());
    }
    return new ChangecastEdge(
        streams,
        streamsStarter,
        log,
        server,
        publisher,
        metrics,
        !config.documentsEnabled() || !config.applicationIdSet(),
        config.shutdownTimeout());
  }

  /** The HTTP port (the chosen one when {@code http.port} is 0). */
  public int port() {
    return server.port();
  }

  /** Same as {@code /health/ready}: Kafka Streams RUNNING and the event-log store queryable. */
  public boolean ready() {
    return log.readiness() instanceof Readiness.Ready;
  }

  /**
   * Ends the SSE streams (clients reconnect), stops the HTTP server, the ingest producer, then
   * Kafka Streams.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        try {
          server.close();
        } finally {
          publisher.close(); // after the server: no write is in flight any more
        }
      } finally {
        // start() holds the KafkaStreams monitor until the restore ends, and close() needs it:
        // interrupt a start still waiting for the restore, so close() need not wait for it.
        streamsStarter.interrupt();
        try {
          streamsStarter.join(closeTimeout.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        closeStreams(streams, cleanUpOnClose, closeTimeout);
      }
    }
  }

  /** Runs the edge: {@code --config FILE} (optional) then {@code CHANGECAST_EDGE_*} variables. */
  public static void main(String[] args) throws InterruptedException {
    Optional<Path> file = Optional.empty();
    for (int index = 0; index < args.length; index++) {
      if ("--config".equals(args[index]) && index + 1 < args.length) {
        file = Optional.of(Path.of(args[++index]));
      } else {
        System.err.println("Usage: changecast-edge [--config FILE]");
        System.err.println(
            "Keys: "
                + String.join(", ", EdgeConfig.KEYS)
                + ", "
                + String.join(", ", JwtSettings.KEYS)
                + ", streams.*");
        System.exit(2);
      }
    }
    ChangecastEdge edge = start(EdgeConfig.load(file, System.getenv()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  edge.close();
                  stopped.countDown();
                },
                "changecast-edge-shutdown"));
    stopped.await();
  }

  static Properties streamsProperties(EdgeConfig config) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    config.stateDir().ifPresent(dir -> props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString()));
    // The router writes in transactions: never show an aborted attempt (its ids would repeat).
    props.put(
        StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
        "read_committed");
    if (config.documentsEnabled()) {
      props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, DocumentStoreOptions.class);
    }
    props.putAll(config.streamsProperties());
    return props;
  }

  private static Thread startInBackground(KafkaStreams streams) {
    Thread starter =
        new Thread(
            () -> {
              try {
                streams.start(); // returns once the global store is restored
                LOG.info("Event log restored; Kafka Streams is {}", streams.state());
              } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()
                    || e.getCause() instanceof InterruptedException) {
                  LOG.info("Kafka Streams start interrupted: the edge is closing");
                } else {
                  LOG.error("Kafka Streams failed to start; the edge reports not ready", e);
                }
              }
            },
            "changecast-edge-streams-start");
    starter.setDaemon(true);
    starter.start();
    return starter;
  }

  private static void closeStreams(KafkaStreams streams, boolean cleanUp, Duration timeout) {
    if (!streams.close(timeout)) {
      LOG.warn("Kafka Streams did not stop within {}", timeout);
      return;
    }
    if (cleanUp) {
      // In memory, or a generated application id no later start will use: leave nothing on disk.
      streams.cleanUp();
    }
  }

  /**
   * Records of the events topic the edge has handled since it started, restore included: after a
   * restart on a kept state, only those after the store's checkpoint.
   */
  public long recordsRead() {
    return metrics.recordsRead();
  }
}
