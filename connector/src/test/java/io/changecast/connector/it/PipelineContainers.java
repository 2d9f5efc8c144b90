package io.changecast.connector.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.mongodb.MongoDBContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The deployment of {@code docker-compose.yml}, in containers on one Docker network: a single-node
 * MongoDB replica set ({@code mongo}), a KRaft Kafka broker ({@code kafka}) and a stock Kafka
 * Connect worker ({@code connect}) running {@code deploy/connect/connect-distributed.properties}
 * with the plugin directory built by this module mounted read-only on its {@code plugin.path}.
 */
final class PipelineContainers implements AutoCloseable {

  static final DockerImageName MONGO_IMAGE = DockerImageName.parse("mongo:7.0");
  static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.1.0");

  /** The replica set member as the Connect worker reaches it on the network. */
  static final String MONGO_URI_IN_NETWORK = "mongodb://mongo:27017/?directConnection=true";

  private static final Path ROOT = Path.of("..");
  private static final Path PLUGIN_DIR = Path.of("target", "changecast-connect-plugin");
  private static final String KAFKA_IN_NETWORK = "kafka:19092";
  private static final String WORKER_PROPERTIES = "/opt/changecast/connect-distributed.properties";
  private static final int CONNECT_PORT = 8083;

  private final Network network;
  private final MongoDBContainer mongo;
  private final KafkaContainer kafka;
  private final GenericContainer<?> connect;

  private PipelineContainers() {
    network = Network.newNetwork();
    // Testcontainers initiates a one-member replica set ("docker-rs") whose member is named by
    // the container's host name; the worker connects directly to it by its network alias.
    mongo =
        new MongoDBContainer(MONGO_IMAGE)
            .withReplicaSet()
            .withNetwork(network)
            .withNetworkAliases("mongo");
    // The default listener advertises the host's mapped port (for the test JVM); this one
    // advertises kafka:19092 to containers on the network.
    kafka = new KafkaContainer(KAFKA_IMAGE).withNetwork(network).withListener(KAFKA_IN_NETWORK);
    connect =
        new GenericContainer<>(KAFKA_IMAGE)
            .withNetwork(network)
            .withNetworkAliases("connect")
            .withExposedPorts(CONNECT_PORT)
            .withCopyToContainer(Transferable.of(workerProperties()), WORKER_PROPERTIES)
            .withFileSystemBind(
                pluginDir().toAbsolutePath().toString(),
                "/opt/changecast/plugins",
                BindMode.READ_ONLY)
            .withCommand("/opt/kafka/bin/connect-distributed.sh", WORKER_PROPERTIES)
            .withLogConsumer(
                new Slf4jLogConsumer(LoggerFactory.getLogger("container.connect"))
                    .withSeparateOutputStreams())
            .dependsOn(kafka)
            .waitingFor(
                Wait.forHttp("/connectors")
                    .forPort(CONNECT_PORT)
                    .forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(3)));
  }

  /** Starts MongoDB and Kafka in parallel, then the Connect worker once it answers REST calls. */
  static PipelineContainers start() {
    PipelineContainers containers = new PipelineContainers();
    try {
      Startables.deepStart(containers.mongo, containers.kafka, containers.connect).join();
    } catch (RuntimeException e) {
      containers.close();
      throw e;
    }
    return containers;
  }

  /** MongoDB for the test JVM: the mapped port, one direct connection to the primary. */
  String mongoUri() {
    return mongo.getConnectionString() + "/?directConnection=true";
  }

  /** Kafka for the test JVM (and the in-process router). */
  String bootstrapServers() {
    return kafka.getBootstrapServers();
  }

  /** The worker's REST API for the test JVM. */
  String connectUrl() {
    return "http://" + connect.getHost() + ":" + connect.getMappedPort(CONNECT_PORT);
  }

  @Override
  public void close() {
    connect.stop();
    kafka.stop();
    mongo.stop();
    network.close();
  }

  /** compose's worker properties, bootstrapping from the broker's in-network listener. */
  static String workerProperties() {
    try {
      String compose =
          Files.readString(ROOT.resolve("deploy/connect/connect-distributed.properties"));
      return compose
          .lines()
          .map(
              l -> l.startsWith("bootstrap.servers=") ? "bootstrap.servers=" + KAFKA_IN_NETWORK : l)
          .collect(Collectors.joining("\n", "", "\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path pluginDir() {
    if (!Files.isDirectory(PLUGIN_DIR.resolve("changecast-connector/lib"))) {
      throw new IllegalStateException(
          PLUGIN_DIR.toAbsolutePath()
              + " is missing: run the ITs through `./mvnw verify -pl connector -am`, whose package"
              + " phase assembles the plugin directory");
    }
    return PLUGIN_DIR;
  }
}
