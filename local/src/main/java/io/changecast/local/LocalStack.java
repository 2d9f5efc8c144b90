package io.changecast.local;

import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.edge.ChangecastEdge;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.embedded.kafka.ConnectOptions;
import io.changecast.embedded.kafka.EmbeddedConnect;
import io.changecast.embedded.kafka.EmbeddedKafka;
import io.changecast.embedded.kafka.KafkaOptions;
import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import io.changecast.router.ChangecastRouter;
import io.changecast.router.config.RouterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process on loopback: embedded MongoDB, a KRaft broker, a distributed
 * Kafka Connect worker running the official MongoSourceConnector with the config from {@code
 * connect-configs/}, the router and the edge. Closing it stops them in reverse order and deletes
 * the run's state, so every run starts from an empty MongoDB and an empty broker.
 */
public final class LocalStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

  /** The address every part binds to. */
  static final String HOST = "127.0.0.1";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private final Path stateDir;
  private EmbeddedMongo mongo;
  private EmbeddedKafka kafka;
  private EmbeddedConnect connect;
  private ChangecastEdge edge;

  private LocalStack(Path stateDir) {
    this.stateDir = stateDir;
  }

  /** Starts every part and returns once the edge serves its stores. */
  public static LocalStack start(LocalOptions options) {
    ConnectorConfigFile source = ConnectorConfigFile.read(options.connectorConfig());
    LocalStack stack;
    try {
      stack = new LocalStack(Files.createTempDirectory("changecast-local-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a state directory", e);
    }
    try {
      stack.startAll(options, source);
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(LocalOptions options, ConnectorConfigFile source) {
    mongo =
        remember(
            EmbeddedMongo.start(
                MongoOptions.defaults()
                    .withPort(options.mongoPort())
                    .withHistoryLimit(options.mongoHistory())));
    log.info("MongoDB (embedded) at {}", mongo.connectionString());

    kafka =
        remember(
            EmbeddedKafka.start(
                KafkaOptions.defaults()
                    .withPort(options.kafkaPort())
                    .withDataDir(stateDir.resolve("kafka"))));
    log.info("Kafka broker at {}", kafka.bootstrapServers());

    ChangecastRouter router =
        remember(
            ChangecastRouter.start(
                RouterConfig.fromMap(routerSettings(kafka.bootstrapServers(), stateDir))));

    edge =
        remember(
            ChangecastEdge.start(
                EdgeConfig.fromMap(edgeSettings(options, kafka.bootstrapServers(), stateDir))));

    connect =
        remember(
            EmbeddedConnect.start(
                new ConnectOptions(
                    kafka.bootstrapServers(),
                    HOST,
                    options.connectPort(),
                    "changecast-connect",
                    Map.of())));
    ConnectorConfigFile deployed = deployed(source, mongo.connectionString());
    connect.putConnector(deployed.name(), deployed.config());
    connect.awaitConnectorRunning(deployed.name(), STARTUP_TIMEOUT);
    log.info("Connector {} running on {}", deployed.name(), connect.restUrl());

    awaitReady(router);
  }

  /**
   * How often the local router refreshes its metadata, i.e. how soon it reads a raw topic that
   * appeared (a collection's first change). The router's default (3 s) suits a cluster; on one
   * loopback broker a refresh costs next to nothing, and the first event of a new collection no
   * longer waits seconds for it.
   */
  static final long NEW_TOPIC_DISCOVERY_MS = 500;

  /**
   * The router's config in local mode: defaults, this broker, a state directory of this run, new
   * raw topics picked up within {@link #NEW_TOPIC_DISCOVERY_MS}.
   */
  static Map<String, String> routerSettings(String bootstrapServers, Path stateDir) {
    return Map.of(
        RouterConfig.BOOTSTRAP_SERVERS,
        bootstrapServers,
        RouterConfig.STATE_DIR,
        stateDir.resolve("router").toString(),
        RouterConfig.STREAMS_PREFIX
            + StreamsConfig.mainConsumerPrefix(ConsumerConfig.METADATA_MAX_AGE_CONFIG),
        Long.toString(NEW_TOPIC_DISCOVERY_MS));
  }

  /** The edge's config in local mode: loopback, no auth, then the user's {@code --edge} keys. */
  static Map<String, String> edgeSettings(
      LocalOptions options, String bootstrapServers, Path stateDir) {
    Map<String, String> edgeConfig = new LinkedHashMap<>();
    edgeConfig.put(EdgeConfig.BOOTSTRAP_SERVERS_KEY, bootstrapServers);
    edgeConfig.put(EdgeConfig.HTTP_HOST_KEY, HOST);
    edgeConfig.put(EdgeConfig.HTTP_PORT_KEY, Integer.toString(options.edgePort()));
    edgeConfig.put(EdgeConfig.STATE_DIR_KEY, stateDir.resolve("edge").toString());
    edgeConfig.put(EdgeConfig.AUTH_MODE_KEY, "none");
    edgeConfig.putAll(options.edgeSettings());
    return edgeConfig;
  }

  /** The connector config as deployed: the user's, pointed at the embedded MongoDB. */
  static ConnectorConfigFile deployed(ConnectorConfigFile source, String mongoConnectionString) {
    return source.withOverrides(Map.of("connection.uri", mongoConnectionString));
  }

  private void awaitReady(ChangecastRouter router) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (!edge.ready() || !router.state().isRunningOrRebalancing()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "pipeline not ready after "
                + STARTUP_TIMEOUT
                + ": router "
                + router.state()
                + ", edge ready="
                + edge.ready());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting", e);
      }
    }
  }

  private <T extends AutoCloseable> T remember(T part) {
    running.push(part);
    return part;
  }

  /** The embedded MongoDB's connection string. */
  public String mongoConnectionString() {
    return mongo.connectionString();
  }

  /** The broker's bootstrap servers. */
  public String kafkaBootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** The Connect worker's REST URL. */
  public URI connectUrl() {
    return connect.restUrl();
  }

  /** The edge's base URL, e.g. {@code http://127.0.0.1:8080}. */
  public URI edgeUrl() {
    return URI.create("http://" + HOST + ":" + edge.port());
  }

  /** Stops every part, newest first, then deletes the run's state. */
  @Override
  public void close() {
    while (!running.isEmpty()) {
      AutoCloseable part = running.pop();
      long stopping = System.nanoTime();
      try {
        part.close();
        log.debug(
            "{} stopped in {} ms",
            part.getClass().getSimpleName(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
      } catch (Exception e) {
        log.warn("error while stopping {}", part.getClass().getSimpleName(), e);
      }
    }
    deleteRecursively(stateDir);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}", dir, e);
    }
  }
}
