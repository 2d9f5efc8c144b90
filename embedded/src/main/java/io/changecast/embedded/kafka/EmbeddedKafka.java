package io.changecast.embedded.kafka;

import io.changecast.embedded.kafka.internal.PreboundSockets;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.FaultHandlerFactory;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.SharedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.raft.QuorumConfig;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.fault.LoggingFaultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * A single-node Kafka cluster in this JVM: one KRaft node that is both controller and broker.
 *
 * <p>Internal topics (consumer offsets, transaction state) use replication factor 1 and min ISR 1,
 * so transactions and Kafka Streams {@code exactly_once_v2} work on this one broker. The data
 * directory is formatted on first use and reused afterwards. Fatal broker faults are logged rather
 * than halting the JVM, since the broker shares the process with its users.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "BROKER";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final String bootstrapServers;
  private final Metrics metrics;
  private final ControllerServer controller;
  private final BrokerServer broker;
  private final Admin admin;
  private boolean closed;

  private EmbeddedKafka(
      Path dataDir,
      boolean ownsDataDir,
      String bootstrapServers,
      Metrics metrics,
      ControllerServer controller,
      BrokerServer broker) {
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.bootstrapServers = bootstrapServers;
    this.metrics = metrics;
    this.controller = controller;
    this.broker = broker;
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "changecast-embedded-kafka-admin"));
  }

  /**
   * Formats the data directory if needed, starts the node and returns once the broker answers
   * requests.
   */
  public static EmbeddedKafka start(KafkaOptions options) {
    long startedAt = System.nanoTime();
    boolean ownsDataDir = options.dataDir() == null;
    Path dataDir;
    try {
      dataDir =
          ownsDataDir
              ? Files.createTempDirectory("changecast-kafka-")
              : Files.createDirectories(options.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the Kafka data directory", e);
    }
    PreboundSockets sockets = new PreboundSockets();
    Metrics metrics = new Metrics();
    ControllerServer controller = null;
    BrokerServer broker = null;
    EmbeddedKafka kafka = null;
    try {
      int controllerPort = sockets.bind(CONTROLLER_LISTENER, options.host(), 0);
      int brokerPort = sockets.bind(BROKER_LISTENER, options.host(), options.port());
      KafkaConfig config =
          new KafkaConfig(
              brokerProperties(options.host(), brokerPort, controllerPort, dataDir), false);
      formatIfNeeded(dataDir);

      Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> initialized =
          KafkaRaftServer.initializeLogDirs(config, log, "");
      SharedServer shared =
          new SharedServer(
              config,
              initialized._1(),
              Time.SYSTEM,
              metrics,
              CompletableFuture.completedFuture(
                  QuorumConfig.parseVoterConnections(config.quorumConfig().voters())),
              QuorumConfig.parseBootstrapServers(config.quorumConfig().bootstrapServers()),
              loggingFaultHandlers(),
              sockets);
      controller = new ControllerServer(shared, KafkaRaftServer.configSchema(), initialized._2());
      broker = new BrokerServer(shared);
      // As in KafkaRaftServer: the controller first, so the broker finds its endpoints.
      controller.startup();
      broker.startup();

      String bootstrap = options.host() + ":" + brokerPort;
      kafka = new EmbeddedKafka(dataDir, ownsDataDir, bootstrap, metrics, controller, broker);
      kafka.awaitReady();
      log.info(
          "Embedded Kafka broker ready on {} (data {}) in {} ms",
          bootstrap,
          dataDir,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
      return kafka;
    } catch (Exception e) {
      if (kafka != null) {
        kafka.close();
      } else {
        shutdownQuietly(broker, controller);
        metrics.close();
        if (ownsDataDir) {
          deleteQuietly(dataDir);
        }
      }
      throw new IllegalStateException("Cannot start the embedded Kafka broker: " + e, e);
    } finally {
      sockets.close(); // closes only sockets the broker did not take over
    }
  }

  /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The directory holding the broker's logs and metadata. */
  public Path dataDir() {
    return dataDir;
  }

  /** Creates a topic with replication factor 1; does nothing if it already exists. */
  public void createTopic(String name, int partitions) {
    try {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating topic " + name, e);
    }
    awaitLeaders(name);
  }

  /**
   * Returns once every partition of {@code name} has a leader in the broker's metadata. A producer
   * that writes to a topic the broker does not lead yet gets {@code NOT_LEADER_OR_FOLLOWER}, and an
   * idempotent producer can then see its first batch refused as out of order until the delivery
   * timeout drops it: waiting here keeps "created" meaning "writable".
   */
  private void awaitLeaders(String name) {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        boolean led =
            admin
                .describeTopics(List.of(name))
                .allTopicNames()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(name)
                .partitions()
                .stream()
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (led) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // not known to the broker's metadata yet: ask again until the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted waiting for the leaders of " + name, e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Topic " + name + " has no leader after " + ADMIN_TIMEOUT);
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }

  /** Stops the broker and the controller; deletes the data directory if this broker created it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    admin.close(Duration.ofSeconds(5));
    shutdownQuietly(broker, controller);
    metrics.close();
    if (ownsDataDir) {
      deleteQuietly(dataDir);
    }
  }

  private void awaitReady() throws Exception {
    // The broker has registered and been unfenced once startup() returns; a metadata round trip
    // through the client listener confirms it serves requests.
    admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Map<String, Object> brokerProperties(
      String host, int brokerPort, int controllerPort, Path dataDir) {
    Map<String, Object> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
    p.put(
        "listeners",
        BROKER_LISTENER
            + "://"
            + host
            + ":"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + host
            + ":"
            + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort);
    p.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("log.dirs", dataDir.toString());
    p.put("metadata.log.dir", dataDir.toString());

    // One broker: every internal topic with replication factor 1 and min ISR 1.
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");

    // Small footprint: few threads, no 128 MiB cleaner buffer.
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("background.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
    return p;
  }

  private static void formatIfNeeded(Path dataDir) throws Exception {
    if (Files.exists(dataDir.resolve("meta.properties"))) {
      return;
    }
    new Formatter()
        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setNodeId(NODE_ID)
        .setClusterId(Uuid.randomUuid().toString())
        .addDirectory(dataDir.toString())
        .setMetadataLogDirectory(dataDir.toString())
        .setReleaseVersion(MetadataVersion.latestProduction())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .run();
  }

  private static FaultHandlerFactory loggingFaultHandlers() {
    // The stock factory halts the JVM on fatal faults; an embedded broker only logs them.
    return (name, fatal, action) -> new LoggingFaultHandler(name, action);
  }

  private static void shutdownQuietly(BrokerServer broker, ControllerServer controller) {
    // As in KafkaRaftServer: the broker first, since its controlled shutdown needs the controller.
    if (broker != null) {
      try {
        broker.shutdown();
      } catch (RuntimeException e) {
        log.warn("Error stopping the embedded broker", e);
      }
    }
    if (controller != null) {
      try {
        controller.shutdown();
      } catch (RuntimeException e) {
        log.warn("Error stopping the embedded controller", e);
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      log.warn("Cannot delete {}", dir, e);
    }
  }
}
