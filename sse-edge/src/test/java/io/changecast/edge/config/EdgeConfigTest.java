package io.changecast.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.config.ConfigTable;
import io.changecast.edge.auth.AuthMode;
import io.changecast.edge.auth.JwtSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeConfigTest {

  @Test
  void defaultsApplyWhenOnlyBootstrapServersIsGiven() {
    EdgeConfig config = EdgeConfig.fromMap(Map.of("bootstrap.servers", "kafka:9092"));

    assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.applicationId()).matches("changecast-edge-[0-9a-f]{8}");
    assertThat(config.stateDir()).isEmpty();
    assertThat(config.eventsTopic()).isEqualTo("changecast.events");
    assertThat(config.retentionEventsPerTenant()).isEqualTo(10_000);
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.retry()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.authMode()).isEqualTo(AuthMode.NONE);
    assertThat(config.streamsProperties()).isEmpty();
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shutdownTimeoutIsAPositiveNumberOfMilliseconds() {
    assertThat(
            EdgeConfig.fromMap(Map.of("bootstrap.servers", "k:1", "shutdown.timeout.ms", "500"))
                .shutdownTimeout())
        .isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(
            () ->
                EdgeConfig.fromMap(Map.of("bootstrap.servers", "k:1", "shutdown.timeout.ms", "0")))
        .hasMessage("Invalid edge config 'shutdown.timeout.ms': '0'; expected a number >= 1");
  }

  @Test
  void writeApiKeys() {
    EdgeConfig defaults = EdgeConfig.fromMap(Map.of("bootstrap.servers", "kafka:9092"));
    assertThat(defaults.ingestTopic()).isEqualTo("changecast.ingest");
    assertThat(defaults.writeMaxBodyBytes()).isEqualTo(64 * 1024);
    assertThat(defaults.writeTimeout()).isEqualTo(Duration.ofSeconds(10));

    EdgeConfig config =
        EdgeConfig.load(
            Optional.empty(),
            Map.of(
                "CHANGECAST_EDGE_BOOTSTRAP_SERVERS", "kafka:9092",
                "CHANGECAST_EDGE_AUTH_MODE", "none",
                "CHANGECAST_EDGE_INGEST_TOPIC", "my.ingest",
                "CHANGECAST_EDGE_WRITE_MAX_BODY_BYTES", "1000",
                "CHANGECAST_EDGE_WRITE_TIMEOUT_MS", "2500"));
    assertThat(config.ingestTopic()).isEqualTo("my.ingest");
    assertThat(config.writeMaxBodyBytes()).isEqualTo(1000);
    assertThat(config.writeTimeout()).isEqualTo(Duration.ofMillis(2500));

    assertThatThrownBy(
            () ->
                EdgeConfig.fromMap(
                    Map.of("bootstrap.servers", "k:9092", "write.max-body-bytes", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid edge config 'write.max-body-bytes': '0'; expected a number from 2 to 1048576");
  }

  @Test
  void streamLimitsCorsAndAgeRetention() {
    EdgeConfig defaults = EdgeConfig.fromMap(Map.of("bootstrap.servers", "kafka:9092"));
    assertThat(defaults.sseQueueCapacity()).isEqualTo(1000);
    assertThat(defaults.sseWriteTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.sseLinger()).isEqualTo(Duration.ofMillis(40));
    assertThat(defaults.sseMaxStreamsPerTenant()).isEqualTo(10_000);
    assertThat(defaults.corsAllowedOrigins()).isEmpty();
    assertThat(defaults.maxRequestHeaderBytes()).isEqualTo(32 * 1024);
    assertThat(defaults.retentionMaxAge()).isEmpty();

    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.of(
                "bootstrap.servers", "kafka:9092",
                "sse.queue-capacity", "50",
                "sse.write-timeout.ms", "2500",
                "sse.linger.ms", "0",
                "sse.max-streams-per-tenant", "0",
                "http.cors.allowed-origins", " https://a.example ,https://b.example,",
                "http.max-request-header-bytes", "4096",
                "retention.max-age", "PT24H"));
    assertThat(config.sseQueueCapacity()).isEqualTo(50);
    assertThat(config.sseWriteTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(config.sseLinger()).isZero();
    assertThat(config.sseMaxStreamsPerTenant()).isZero();
    assertThat(config.corsAllowedOrigins())
        .containsExactly("https://a.example", "https://b.example");
    assertThat(config.maxRequestHeaderBytes()).isEqualTo(4096);
    assertThat(config.retentionMaxAge()).contains(Duration.ofHours(24));

    assertThatThrownBy(
            () ->
                EdgeConfig.fromMap(
                    Map.of("bootstrap.servers", "k:9092", "retention.max-age", "24h")))
        .hasMessageContaining("retention.max-age");
    assertThatThrownBy(
            () ->
                EdgeConfig.fromMap(
                    Map.of("bootstrap.servers", "k:9092", "sse.queue-capacity", "0")))
        .hasMessageContaining("sse.queue-capacity");
  }

  @Test
  void everyInstanceGetsItsOwnDefaultApplicationId() {
    Map<String, String> values = Map.of("bootstrap.servers", "kafka:9092");
    assertThat(EdgeConfig.fromMap(values).applicationId())
        .isNotEqualTo(EdgeConfig.fromMap(values).applicationId());
  }

  @Test
  void readsEveryKeyAndPassesStreamsPropertiesThrough() {
    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.ofEntries(
                Map.entry("bootstrap.servers", "a:1,b:2"),
                Map.entry("http.host", "0.0.0.0"),
                Map.entry("http.port", "0"),
                Map.entry("application.id", "edge-1"),
                Map.entry("state.dir", "/var/lib/edge"),
                Map.entry("events.topic", "t.events"),
                Map.entry("retention.events-per-tenant", "50"),
                Map.entry("heartbeat.interval.ms", "250"),
                Map.entry("retry.ms", "0"),
                Map.entry("auth.mode", "NONE"),
                Map.entry("streams.commit.interval.ms", "100")));

    assertThat(config.httpHost()).isEqualTo("0.0.0.0");
    assertThat(config.httpPort()).isZero();
    assertThat(config.applicationId()).isEqualTo("edge-1");
    assertThat(config.stateDir()).contains(Path.of("/var/lib/edge"));
    assertThat(config.eventsTopic()).isEqualTo("t.events");
    assertThat(config.retentionEventsPerTenant()).isEqualTo(50);
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.retry()).isEqualTo(Duration.ZERO);
    assertThat(config.streamsProperties()).containsExactly(Map.entry("commit.interval.ms", "100"));
  }

  @Test
  void unknownKeysAreRejectedByName() {
    assertThatThrownBy(
            () -> EdgeConfig.fromMap(Map.of("bootstrap.servers", "k:1", "http.prot", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Unknown edge config key 'http.prot'; known keys: ")
        .hasMessageContaining("http.port")
        .hasMessageEndingWith(", or streams.<kafka streams property>");
  }

  @Test
  void bootstrapServersIsRequired() {
    assertThatThrownBy(() -> EdgeConfig.fromMap(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid edge config 'bootstrap.servers': not set; it is required");
  }

  @Test
  void malformedValuesNameTheKey() {
    assertThatThrownBy(
            () -> EdgeConfig.fromMap(Map.of("bootstrap.servers", "k:1", "http.port", "70000")))
        .hasMessage("Invalid edge config 'http.port': '70000'; expected a number from 0 to 65535");
    assertThatThrownBy(
            () ->
                EdgeConfig.fromMap(
                    Map.of("bootstrap.servers", "k:1", "retention.events-per-tenant", "0")))
        .hasMessage(
            "Invalid edge config 'retention.events-per-tenant': '0'; expected a number >= 1");
    assertThatThrownBy(
            () ->
                EdgeConfig.fromMap(
                    Map.of("bootstrap.servers", "k:1", "heartbeat.interval.ms", "soon")))
        .hasMessage(
            "Invalid edge config 'heartbeat.interval.ms': 'soon'; expected a whole number (32-bit)");
    assertThatThrownBy(
            () -> EdgeConfig.fromMap(Map.of("bootstrap.servers", "k:1", "auth.mode", "oauth")))
        .hasMessage("Invalid edge config 'auth.mode': 'oauth'; expected none or jwt");
  }

  @Test
  void environmentOverridesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("edge.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "bootstrap.servers=file:9092",
            "auth.mode=none",
            "http.port=9000",
            "retention.events-per-tenant=7",
            "streams.num.standby.replicas=0"));

    EdgeConfig config =
        EdgeConfig.load(
            Optional.of(file),
            Map.of(
                "CHANGECAST_EDGE_HTTP_PORT", "9100",
                "CHANGECAST_EDGE_RETENTION_EVENTS_PER_TENANT", "8",
                "CHANGECAST_EDGE_STREAMS_COMMIT_INTERVAL_MS", "50",
                "PATH", "/usr/bin"));

    assertThat(config.bootstrapServers()).isEqualTo("file:9092");
    assertThat(config.httpPort()).isEqualTo(9100);
    assertThat(config.retentionEventsPerTenant()).isEqualTo(8);
    assertThat(config.streamsProperties())
        .containsOnly(
            Map.entry("num.standby.replicas", "0"), Map.entry("commit.interval.ms", "50"));
  }

  @Test
  void environmentAloneIsEnough() {
    EdgeConfig config =
        EdgeConfig.load(
            Optional.empty(),
            Map.of(
                EdgeConfig.envName("bootstrap.servers"), "env:9092",
                EdgeConfig.envName("auth.mode"), "none",
                EdgeConfig.envName("heartbeat.interval.ms"), "1000"));

    assertThat(EdgeConfig.envName("bootstrap.servers"))
        .isEqualTo("CHANGECAST_EDGE_BOOTSTRAP_SERVERS");
    assertThat(config.bootstrapServers()).isEqualTo("env:9092");
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void unknownEnvironmentVariablesWithThePrefixAreRejected() {
    assertThatThrownBy(
            () ->
                EdgeConfig.load(
                    Optional.empty(),
                    Map.of(
                        "CHANGECAST_EDGE_BOOTSTRAP_SERVERS", "k:1",
                        "CHANGECAST_EDGE_HTTP_PROT", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Unknown edge environment variable CHANGECAST_EDGE_HTTP_PROT; known:");
  }

  @Test
  void runningAsAServiceTakesAnExplicitAuthMode() {
    assertThatThrownBy(
            () ->
                EdgeConfig.load(
                    Optional.empty(), Map.of("CHANGECAST_EDGE_BOOTSTRAP_SERVERS", "k:1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid edge config 'auth.mode': not set; it is required when the edge runs as a"
                + " service (CHANGECAST_EDGE_AUTH_MODE): jwt");
    assertThat(
            EdgeConfig.load(
                    Optional.empty(),
                    Map.of(
                        "CHANGECAST_EDGE_BOOTSTRAP_SERVERS", "k:1",
                        "CHANGECAST_EDGE_AUTH_MODE", "none"))
                .authMode())
        .isEqualTo(AuthMode.NONE);
  }

  @Test
  void missingFileIsReported(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> EdgeConfig.load(Optional.of(missing), Map.of()))
        .hasMessageStartingWith("Cannot read edge config file " + missing + ": ");
  }

  @Test
  void yamlFileEqualsThePropertiesFile(@TempDir Path dir) throws Exception {
    Path properties = dir.resolve("edge.properties");
    Files.writeString(
        properties,
        "bootstrap.servers=k:1\nauth.mode=none\nhttp.port=9000\nstreams.num.standby.replicas=0\n");
    Path yaml = dir.resolve("edge.yaml");
    Files.writeString(
        yaml,
        "bootstrap.servers: k:1\nauth.mode: none\nhttp:\n  port: 9000\n"
            + "streams:\n  num.standby.replicas: 0\n");

    EdgeConfig fromYaml = EdgeConfig.load(Optional.of(yaml), Map.of());
    EdgeConfig fromProperties = EdgeConfig.load(Optional.of(properties), Map.of());

    assertThat(fromYaml.httpPort()).isEqualTo(9000).isEqualTo(fromProperties.httpPort());
    assertThat(fromYaml.streamsProperties())
        .isEqualTo(fromProperties.streamsProperties())
        .isEqualTo(Map.of("num.standby.replicas", "0"));
  }

  @Test
  void aBadValueNamesWhereItCameFrom(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("edge.properties");
    Files.writeString(file, "bootstrap.servers=k:1\nauth.mode=none\nsse.linger.ms=-5\n");

    assertThatThrownBy(() -> EdgeConfig.load(Optional.of(file), Map.of()))
        .hasMessage(
            "Invalid edge config 'sse.linger.ms': '-5' (file "
                + file
                + "); expected a number from 0 to 10000");
    assertThatThrownBy(
            () ->
                EdgeConfig.load(
                    Optional.of(file),
                    Map.of(
                        "CHANGECAST_EDGE_SSE_LINGER_MS", "0",
                        "CHANGECAST_EDGE_SNAPSHOT_DEFAULT_LIMIT", "20000")))
        .hasMessage(
            "Invalid edge config 'snapshot.default-limit': '20000' (env"
                + " CHANGECAST_EDGE_SNAPSHOT_DEFAULT_LIMIT); expected at most snapshot.max-limit"
                + " (10000)");
  }

  @Test
  void aBlankValueIsTheEmptyStringNotTheDefault() {
    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.of(
                "bootstrap.servers", "k:1",
                "state.dir", " ",
                "retention.max-age", "",
                "http.cors.allowed-origins", ""));
    assertThat(config.stateDir()).isEmpty();
    assertThat(config.retentionMaxAge()).isEmpty();
    assertThat(config.corsAllowedOrigins()).isEmpty();
    assertThatThrownBy(
            () -> EdgeConfig.fromMap(Map.of("bootstrap.servers", "k:1", "http.port", " ")))
        .hasMessage("Invalid edge config 'http.port': ''; expected a whole number (32-bit)");
    assertThatThrownBy(
            () -> EdgeConfig.fromMap(Map.of("bootstrap.servers", "k:1", "http.host", "")))
        .hasMessage("Invalid edge config 'http.host': ''; expected a non-empty value");
  }

  @Test
  void readmeTablesAreTheGeneratedOnes() {
    Path readme = Path.of("README.md");
    Map<String, String> generated =
        Map.of(
            "edge",
            ConfigTable.markdown(EdgeConfig.DEFINITION, key -> !key.startsWith(JwtSettings.PREFIX)),
            "jwt",
            ConfigTable.markdown(EdgeConfig.DEFINITION, key -> key.startsWith(JwtSettings.PREFIX)));
    generated.forEach(
        (name, table) ->
            assertThat(ConfigTable.synced(readme, name, table))
                .as(
                    "sse-edge/README.md's %s table; rewrite: -D%s=true",
                    name, ConfigTable.UPDATE_PROPERTY)
                .isEqualTo(table));
  }
}
