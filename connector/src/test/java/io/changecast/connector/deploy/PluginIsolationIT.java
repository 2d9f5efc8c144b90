package io.changecast.connector.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.changecast.embedded.kafka.EmbeddedKafka;
import io.changecast.embedded.kafka.KafkaOptions;
import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin archive on a stock Connect worker: the component archive {@code
 * <owner>-<name>-<version>.zip} (built by {@code package}, Confluent's layout: {@code
 * manifest.json}, {@code lib/}, {@code doc/}, {@code etc/} under one root directory) unpacked into
 * a temporary {@code plugin.path} as {@code confluent-hub install} or Strimzi's {@code spec.build}
 * would, and Kafka's own {@code ConnectStandalone} in a child JVM whose class path holds Kafka but
 * neither changecast's modules nor the official connector, the MongoDB driver or BSON, so they can
 * only come from the plugin, through Connect's {@code PluginClassLoader} ({@code
 * plugin.discovery=service_load}: the {@code META-INF/services} entries must be right). The worker
 * lists the connector and the SMT, and a {@code ChangecastSourceConnector} with the {@code
 * TenantHeader} SMT streams the embedded MongoDB into Kafka with the source and tenant headers. The
 * worker's environment turns tracing on ({@code OTEL_TRACES_EXPORTER=otlp}): the OpenTelemetry SDK,
 * its autoconfiguration and the OTLP exporter also come from the plugin only, the raw record
 * carries a {@code traceparent}, and its span reaches an OTLP endpoint (a JDK HTTP server standing
 * in for a collector).
 */
@Timeout(180)
class PluginIsolationIT {

  /** Set by the failsafe configuration of the module's pom. */
  private static final Path ZIP = Path.of(System.getProperty("plugin.archive"));

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String CONNECTOR =
      "io.changecast.connector.source.ChangecastSourceConnector";
  private static final String SMT = "io.changecast.connector.transforms.TenantHeader$Value";

  @TempDir static Path dir;

  private static EmbeddedMongo mongo;
  private static EmbeddedKafka kafka;
  private static Process worker;
  private static Path log;
  private static URI rest;
  private static Path pluginDir;
  private static com.sun.net.httpserver.HttpServer collector;
  private static final List<byte[]> EXPORTS = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Path plugins = dir.resolve("plugins");
    unzip(ZIP, plugins);
    // the archive's one root directory, <owner>-<name>-<version>, is the plugin's location
    pluginDir = plugins.resolve(System.getProperty("plugin.archive.name"));
    mongo = EmbeddedMongo.start(MongoOptions.defaults());
    kafka = EmbeddedKafka.start(KafkaOptions.defaults());
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    rest = URI.create("http://127.0.0.1:" + port);
    collector =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          try (exchange) {
            EXPORTS.add(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
          }
        });
    collector.start();

    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.put("offset.storage.file.filename", dir.resolve("offsets").toString());
    props.put("offset.flush.interval.ms", "1000");
    props.put("plugin.path", plugins.toString());
    props.put("plugin.discovery", "service_load");
    props.put("listeners", rest.toString());
    props.put("rest.advertised.host.name", "127.0.0.1");
    Path workerProps = dir.resolve("worker.properties");
    try (var out = Files.newOutputStream(workerProps)) {
      props.store(out, "stock Connect worker with the changecast plugin on plugin.path");
    }
    Path logback = dir.resolve("logback.xml");
    Files.writeString(
        logback,
        """
        <configuration>
          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d %-5level [%thread] %logger - %msg%n</pattern></encoder>
          </appender>
          <logger name="org.apache.kafka.connect.runtime.isolation" level="DEBUG"/>
          <root level="INFO"><appender-ref ref="OUT"/></root>
        </configuration>
        """);
    log = Path.of("target", "plugin-isolation-worker.log");
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-Dlogback.configurationFile=" + logback,
            "-cp",
            workerClassPath(),
            "org.apache.kafka.connect.cli.ConnectStandalone",
            workerProps.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("OTEL_TRACES_EXPORTER", "otlp");
    builder
        .environment()
        .put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort());
    builder.environment().put("OTEL_BSP_SCHEDULE_DELAY", "200");
    worker = builder.start();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(PluginIsolationIT::workerAnswers);
  }

  /** Whether the REST API answers; fails at once when the worker has exited. */
  private static boolean workerAnswers() throws Exception {
    if (!worker.isAlive()) {
      throw new IllegalStateException(
          "The Connect worker exited with " + worker.exitValue() + ":\n" + Files.readString(log));
    }
    try {
      return get("/connector-plugins").statusCode() == 200;
    } catch (java.net.ConnectException e) {
      return false; // not listening yet
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (worker != null) {
      worker.destroy();
      if (!worker.waitFor(30, TimeUnit.SECONDS)) {
        worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (kafka != null) {
      kafka.close();
    }
    if (mongo != null) {
      mongo.close();
    }
    if (collector != null) {
      collector.stop(0);
    }
  }

  @Test
  void theWorkersClassPathHasNoChangecastOrMongoClasses() {
    assertThat(workerClassPath().split(File.pathSeparator))
        .isNotEmpty()
        .noneMatch(PluginIsolationIT::providedByThePlugin)
        .anyMatch(e -> e.contains("connect-runtime"));
  }

  @Test
  void thePluginHoldsTheOpenTelemetryJars() throws IOException {
    try (Stream<Path> jars = Files.list(pluginDir.resolve("lib"))) {
      assertThat(jars.map(jar -> jar.getFileName().toString()))
          .anyMatch(name -> name.startsWith("opentelemetry-api-"))
          .anyMatch(name -> name.startsWith("opentelemetry-sdk-trace-"))
          .anyMatch(name -> name.startsWith("opentelemetry-sdk-extension-autoconfigure-"))
          .anyMatch(name -> name.startsWith("opentelemetry-exporter-otlp-"))
          .anyMatch(name -> name.startsWith("opentelemetry-exporter-sender-jdk-"))
          .noneMatch(name -> name.startsWith("kotlin") || name.startsWith("okhttp"));
    }
  }

  @Test
  void theConnectorAndTheSmtAreLoadedFromThePluginInIsolation() throws Exception {
    JsonNode all = JSON.readTree(get("/connector-plugins?connectorsOnly=false").body());
    Map<String, String> types = new HashMap<>();
    all.forEach(p -> types.put(p.path("class").asText(), p.path("type").asText()));

    assertThat(types)
        .containsEntry(CONNECTOR, "source")
        .containsEntry(SMT, "transformation")
        .containsEntry("io.changecast.connector.transforms.TenantHeader$Key", "transformation")
        // the official jar has no service manifest; ours names its connectors for it
        .containsEntry("com.mongodb.kafka.connect.MongoSourceConnector", "source")
        .containsEntry("com.mongodb.kafka.connect.MongoSinkConnector", "sink");
    assertThat(Files.readString(log))
        .contains("Loading plugin from: " + pluginDir)
        .contains("Registered loader: " + pluginLoader())
        .doesNotContain("ERROR");
  }

  @Test
  void aChangecastSourceWithTheTenantHeaderStreamsThroughTheIsolatedPlugin() throws Exception {
    String db = "iso";
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", CONNECTOR);
    config.put("tasks.max", "1");
    config.put("connection.uri", mongo.connectionString());
    config.put("database", db);
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("poll.await.time.ms", "200");
    config.put("heartbeat.topic.name", "changecast.heartbeats." + db);
    config.put("topic.creation.default.partitions", "1");
    config.put("topic.creation.default.replication.factor", "-1");
    config.put("changecast.cluster.name", "isolated");
    config.put("transforms", "tenant");
    config.put("transforms.tenant.type", SMT);
    config.put("transforms.tenant.field", "fullDocument.tenantId");

    HttpResponse<String> put =
        send("PUT", "/connectors/iso-source/config", JSON.writeValueAsString(config));
    assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              JsonNode status = JSON.readTree(get("/connectors/iso-source/status").body());
              return "RUNNING".equals(status.path("connector").path("state").asText())
                  && "RUNNING".equals(status.path("tasks").path(0).path("state").asText());
            });

    try (MongoClient client = MongoClients.create(mongo.connectionString());
        KafkaConsumer<String, String> consumer = consumer("changecast.raw." + db + ".orders")) {
      List<ConsumerRecord<String, String>> seen = new ArrayList<>();
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                // the change stream starts with the task: write until a record arrives
                if (seen.isEmpty()) {
                  client
                      .getDatabase(db)
                      .getCollection("orders")
                      .insertOne(new Document("tenantId", "acme"));
                }
                consumer.poll(Duration.ofMillis(500)).forEach(seen::add);
                return !seen.isEmpty();
              });

      assertThat(Files.readString(log))
          .contains(
              "Got plugin class loader: '" + pluginLoader() + "' for connector: " + CONNECTOR);
      ConsumerRecord<String, String> record = seen.get(0);
      assertThat(JSON.readTree(record.value()).path("operationType").asText()).isEqualTo("insert");
      assertThat(headers(record))
          .containsEntry("changecast.source.cluster", "isolated")
          .containsEntry("changecast.source.db", db)
          .containsEntry("changecast.source.coll", "orders")
          .containsEntry("changecast.tenant", "acme");
      String traceparent = headers(record).get("traceparent");
      assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
      byte[] traceId = java.util.HexFormat.of().parseHex(traceparent.substring(3, 35));
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  EXPORTS.stream()
                      .anyMatch(
                          body ->
                              contains(body, traceId)
                                  && contains(
                                      body,
                                      "changecast.connector poll"
                                          .getBytes(StandardCharsets.UTF_8))));
    }
  }

  private static boolean contains(byte[] body, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= body.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (body[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** How Connect names the plugin's class loader. */
  private static String pluginLoader() {
    return "PluginClassLoader{pluginLocation=file:" + pluginDir + "/}";
  }

  /** This JVM's class path without what the plugin must provide and without changecast's jars. */
  private static String workerClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !providedByThePlugin(entry))
        .reduce((a, b) -> a + File.pathSeparator + b)
        .orElseThrow();
  }

  private static boolean providedByThePlugin(String entry) {
    String name = Path.of(entry).getFileName().toString();
    Path normalized = Path.of(entry).toAbsolutePath().normalize();
    Path module = Path.of("").toAbsolutePath().normalize();
    return normalized.startsWith(module.resolve("target"))
        || name.startsWith("changecast-")
        || name.startsWith("mongo-kafka-connect")
        || name.startsWith("mongodb-driver")
        || name.startsWith("bson")
        || name.startsWith("opentelemetry-");
  }

  private static void unzip(Path zip, Path into) throws IOException {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        Path target = into.resolve(entry.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("zip entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          try (var in = file.getInputStream(entry)) {
            Files.copy(in, target);
          }
        }
      }
    }
  }

  private static KafkaConsumer<String, String> consumer(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "plugin-isolation-" + topic);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private static Map<String, String> headers(ConsumerRecord<String, String> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null);
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(rest + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
