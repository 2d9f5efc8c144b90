package io.changecast.connector.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.mongodb.MongoDBContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The deployment of {@code docker-compose.yml}, in containers on one Docker network: a single-node
 * MongoDB replica set {@code rs0} whose member is {@code mongo:27017} ({@code mongo}), a KRaft
 * Kafka broker ({@code kafka}) and a stock Kafka Connect worker ({@code connect}) running {@code
 * deploy/connect/connect-distributed.properties} with the plugin directory built by this module
 * copied onto its {@code plugin.path}. The connector configs of {@code connect-configs/} reach
 * MongoDB with their own {@code connection.uri}.
 */
final class PipelineContainers implements AutoCloseable {

  static final DockerImageName MONGO_IMAGE = DockerImageName.parse("mongo:7.0");
  static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.1.0");

  /** Every image {@link #start()} runs: check them with {@link ContainerImages} first. */
  static final DockerImageName[] IMAGES = {MONGO_IMAGE, KAFKA_IMAGE};

  /** The replica set as the Connect worker reaches it: compose's, as {@code connect-configs/}. */
  static final String MONGO_URI_IN_NETWORK = "mongodb://mongo:27017/?replicaSet=rs0";

  /**
   * compose's {@code mongo-init}: the replica set {@code rs0} with the member named by its network
   * alias, so that drivers in the network that discover the set find {@code mongo:27017}.
   * (Testcontainers' {@code withReplicaSet()} names the set {@code docker-rs} and the member by the
   * container's random host name, which only a direct connection could use.)
   */
  static final String REPLICA_SET_INIT =
      "rs.initiate({_id: 'rs0', members: [{_id: 0, host: 'mongo:27017'}]})";

  private static final Path ROOT = Path.of("..");
  private static final Path PLUGIN_DIR = Path.of("target", "changecast-connect-plugin");
  private static final String KAFKA_IN_NETWORK = "kafka:19092";
  private static final String WORKER_PROPERTIES = "/opt/changecast/connect-distributed.properties";
  private static final int CONNECT_PORT = 8083;
  private static final Duration REPLICA_SET_TIMEOUT = Duration.ofSeconds(60);

  private final Network network;
  private final MongoDBContainer mongo;
  private final KafkaContainer kafka;
  private final GenericContainer<?> connect;

  private PipelineContainers() {
    network = Network.newNetwork();
    mongo =
        new MongoDBContainer(MONGO_IMAGE)
            .withCommand("--replSet", "rs0")
            .withNetwork(network)
            .withNetworkAliases("mongo")
            .withLogConsumer(logs("mongo"))
            .waitingFor(Wait.forLogMessage("(?i).*waiting for connections.*", 1));
    // The default listener advertises the host's mapped port (for the test JVM); this one
    // advertises kafka:19092 to containers on the network (and adds the alias kafka).
    kafka =
        new KafkaContainer(KAFKA_IMAGE)
            .withNetwork(network)
            .withListener(KAFKA_IN_NETWORK)
            .withLogConsumer(logs("kafka"));
    // The plugin directory is copied, not bind-mounted: a bind needs the engine on this machine
    // (not a remote DOCKER_HOST or Testcontainers Cloud), and Testcontainers 2 deprecates it.
    connect =
        new GenericContainer<>(KAFKA_IMAGE)
            .withNetwork(network)
            .withNetworkAliases("connect")
            .withExposedPorts(CONNECT_PORT)
            .withCopyToContainer(Transferable.of(workerProperties()), WORKER_PROPERTIES)
            .withCopyFileToContainer(
                MountableFile.forHostPath(pluginDir().toAbsolutePath()), "/opt/changecast/plugins")
            .withCommand("/opt/kafka/bin/connect-distributed.sh", WORKER_PROPERTIES)
            .withLogConsumer(logs("connect"))
            .dependsOn(kafka)
            .waitingFor(
                Wait.forHttp("/connectors")
                    .forPort(CONNECT_PORT)
                    .forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(3)));
  }

  /**
   * Starts MongoDB and Kafka in parallel, then the Connect worker once it answers REST calls, and
   * initiates the replica set (awaiting its primary).
   */
  static PipelineContainers start() {
    PipelineContainers containers = new PipelineContainers();
    try {
      Startables.deepStart(containers.mongo, containers.kafka, containers.connect).join();
      containers.initiateReplicaSet();
    } catch (RuntimeException e) {
      containers.close();
      throw e;
    }
    return containers;
  }

  /**
   * MongoDB for the test JVM: the mapped port, one direct connection to the primary (the member's
   * name {@code mongo} resolves only inside the network).
   */
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

  /** Stops every container that started, then removes the network, even if one stop fails. */
  @Override
  public void close() {
    try (Network n = network) {
      for (GenericContainer<?> container : new GenericContainer<?>[] {connect, kafka, mongo}) {
        try {
          container.stop();
        } catch (RuntimeException e) {
          LoggerFactory.getLogger(PipelineContainers.class)
              .warn("Could not stop {}", container.getDockerImageName(), e);
        }
      }
    }
  }

  private void initiateReplicaSet() {
    ExecResult init = mongosh(REPLICA_SET_INIT);
    if (init.getExitCode() != 0) {
      throw new IllegalStateException(
          "rs.initiate failed: " + init.getStdout() + " " + init.getStderr());
    }
    await()
        .atMost(REPLICA_SET_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> mongosh("db.hello().isWritablePrimary").getStdout().trim().equals("true"));
  }

  private ExecResult mongosh(String script) {
    try {
      return mongo.execInContainer("mongosh", "--quiet", "--eval", script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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

  private static Slf4jLogConsumer logs(String container) {
    return new Slf4jLogConsumer(LoggerFactory.getLogger("container." + container))
        .withSeparateOutputStreams();
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
