package io.changecast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.config.ConfigLoader.OpenPrefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared loader: file (properties, YAML), environment overlay, unknown keys, blank values. */
class ConfigLoaderTest {

  private static final ConfigLoader LOADER =
      new ConfigLoader(
          "demo",
          new ConfigKeys()
              .group("Kafka")
              .required("bootstrap.servers", Type.STRING, Checks.nonBlank(), "the cluster")
              .optional("events.topic", Type.STRING, "t.events", Checks.topicName(true), "topic")
              .group("HTTP")
              .optional("http.port", Type.INT, 8080, Checks.between(0, 65535), "the port")
              .optional("http.secret", Type.PASSWORD, null, Checks.nonBlank(), "a secret")
              .optional("cors.enabled", Type.BOOLEAN, false, null, "CORS")
              .definition(),
          List.of(
              new OpenPrefix("streams.", "<kafka streams property>", true),
              new OpenPrefix("collections.", "<db>.<coll>.<rule>", false)));

  @TempDir Path dir;

  @Test
  void appliesDefaultsAndTypes() {
    LoadedConfig config = LOADER.fromMap(Map.of("bootstrap.servers", " k:1 "));

    assertThat(config.getString("bootstrap.servers")).isEqualTo("k:1");
    assertThat(config.getString("events.topic")).isEqualTo("t.events");
    assertThat(config.getInt("http.port")).isEqualTo(8080);
    assertThat(config.getBoolean("cors.enabled")).isFalse();
    assertThat(config.getPassword("http.secret")).isNull();
    assertThat(config.isSet("events.topic")).isFalse();
    assertThat(config.withPrefix("streams.")).isEmpty();
  }

  @Test
  void propertiesFileThenEnvironment() throws Exception {
    Path file = dir.resolve("demo.properties");
    Files.writeString(file, "bootstrap.servers=file:1\nhttp.port=9000\nstreams.a.b=1\n");

    LoadedConfig config =
        LOADER.load(
            Optional.of(file),
            Map.of(
                "CHANGECAST_DEMO_HTTP_PORT", "9100",
                "CHANGECAST_DEMO_STREAMS_NUM_STREAM_THREADS", "4",
                "CHANGECAST_OTHER_X", "ignored",
                "PATH", "/usr/bin"));

    assertThat(config.getString("bootstrap.servers")).isEqualTo("file:1");
    assertThat(config.getInt("http.port")).isEqualTo(9100);
    assertThat(config.withPrefix("streams."))
        .isEqualTo(Map.of("a.b", "1", "num.stream.threads", "4"));
  }

  @Test
  void yamlFileEqualsThePropertiesFile() throws Exception {
    Path properties = dir.resolve("demo.properties");
    Files.writeString(
        properties, "bootstrap.servers=k:1\nhttp.port=1\ncollections.app.orders.tenant=database\n");
    Path yaml = dir.resolve("demo.yml");
    Files.writeString(
        yaml,
        "bootstrap.servers: k:1\nhttp:\n  port: 1\ncollections:\n  app:\n"
            + "    orders: {tenant: database}\n");

    assertThat(LOADER.load(Optional.of(yaml), Map.of()).originals())
        .isEqualTo(LOADER.load(Optional.of(properties), Map.of()).originals());
  }

  @Test
  void badValuesNameKeyValueExpectationAndOrigin() throws Exception {
    Path file = dir.resolve("demo.properties");
    Files.writeString(file, "bootstrap.servers=k:1\nhttp.port=http\n");

    assertThatThrownBy(() -> LOADER.load(Optional.of(file), Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid demo config 'http.port': 'http' (file "
                + file
                + "); expected a whole number (32-bit)");
    assertThatThrownBy(
            () -> LOADER.load(Optional.of(file), Map.of("CHANGECAST_DEMO_HTTP_PORT", "70000")))
        .hasMessage(
            "Invalid demo config 'http.port': '70000' (env CHANGECAST_DEMO_HTTP_PORT); expected a"
                + " number from 0 to 65535");
    assertThatThrownBy(() -> LOADER.fromMap(Map.of("bootstrap.servers", "k", "cors.enabled", "y")))
        .hasMessage("Invalid demo config 'cors.enabled': 'y'; expected true or false");
    assertThatThrownBy(() -> LOADER.fromMap(Map.of("bootstrap.servers", "k", "streams.", "1")))
        .hasMessage(
            "Invalid demo config 'streams.': '1'; expected streams.<kafka streams property>");
  }

  @Test
  void aSecretIsNeverShown() {
    assertThatThrownBy(() -> LOADER.fromMap(Map.of("bootstrap.servers", "k", "http.secret", " ")))
        .hasMessage("Invalid demo config 'http.secret': [hidden]; expected a non-empty value");
    LoadedConfig config =
        LOADER.fromMap(Map.of("bootstrap.servers", "k", "http.secret", "hunter2"));
    assertThat(config.invalid("http.secret", "too short"))
        .hasMessage("Invalid demo config 'http.secret': [hidden]; too short");
    assertThat(config.getPassword("http.secret").value()).isEqualTo("hunter2");
  }

  @Test
  void requiredKeyNotSet() {
    assertThatThrownBy(() -> LOADER.fromMap(Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage("Invalid demo config 'bootstrap.servers': not set; it is required");
  }

  @Test
  void aBlankValueIsTheEmptyStringNeverTheDefault() {
    LoadedConfig config = LOADER.fromMap(Map.of("bootstrap.servers", "k", "events.topic", " "));
    assertThat(config.getString("events.topic")).isEmpty();
    assertThat(config.isSet("events.topic")).isTrue();

    assertThatThrownBy(() -> LOADER.fromMap(Map.of("bootstrap.servers", "k", "http.port", "")))
        .hasMessage("Invalid demo config 'http.port': ''; expected a whole number (32-bit)");
    assertThatThrownBy(() -> LOADER.fromMap(Map.of("bootstrap.servers", " ")))
        .hasMessage("Invalid demo config 'bootstrap.servers': ''; expected a non-empty value");
  }

  @Test
  void unknownKeysAndVariablesAreNamedWithTheKnownOnes() throws Exception {
    assertThatThrownBy(() -> LOADER.fromMap(Map.of("bootstrap.servers", "k", "http.prot", "1")))
        .hasMessage(
            "Unknown demo config key 'http.prot'; known keys: bootstrap.servers, events.topic,"
                + " http.port, http.secret, cors.enabled, or streams.<kafka streams property>,"
                + " collections.<db>.<coll>.<rule>");
    Path yaml = dir.resolve("demo.yaml");
    Files.writeString(yaml, "bootstrap.servers: k\nhttp:\n  prot: 1\n");
    assertThatThrownBy(() -> LOADER.load(Optional.of(yaml), Map.of()))
        .hasMessageStartingWith("Unknown demo config key 'http.prot' (file " + yaml + "); known");
    assertThatThrownBy(
            () ->
                LOADER.load(
                    Optional.empty(),
                    Map.of(
                        "CHANGECAST_DEMO_BOOTSTRAP_SERVERS", "k",
                        "CHANGECAST_DEMO_COLLECTIONS_APP_X_TENANT", "database")))
        .hasMessage(
            "Unknown demo environment variable CHANGECAST_DEMO_COLLECTIONS_APP_X_TENANT; known:"
                + " CHANGECAST_DEMO_BOOTSTRAP_SERVERS, CHANGECAST_DEMO_EVENTS_TOPIC,"
                + " CHANGECAST_DEMO_HTTP_PORT, CHANGECAST_DEMO_HTTP_SECRET,"
                + " CHANGECAST_DEMO_CORS_ENABLED, or CHANGECAST_DEMO_STREAMS_<NAME>");
  }

  @Test
  void yamlShapesThatAreNoValueAreRefusedNamingTheFile() throws Exception {
    Path list = dir.resolve("list.yaml");
    Files.writeString(list, "bootstrap.servers:\n  - b:1\n  - b:2\n");
    assertThatThrownBy(() -> LOADER.load(Optional.of(list), Map.of()))
        .hasMessage(
            "Invalid demo config 'bootstrap.servers': '[\"b:1\",\"b:2\"]' (file "
                + list
                + "); expected a single value (a string, number or boolean)");
    Path twice = dir.resolve("twice.yaml");
    Files.writeString(twice, "http.port: 1\nhttp:\n  port: 2\n");
    assertThatThrownBy(() -> LOADER.load(Optional.of(twice), Map.of()))
        .hasMessage(
            "Invalid demo config 'http.port': '2' (file "
                + twice
                + "); it is set twice in this file");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "http: {port: 1\n");
    assertThatThrownBy(() -> LOADER.load(Optional.of(broken), Map.of()))
        .hasMessageStartingWith("Cannot parse demo config file " + broken + " as YAML: ");
    Path missing = dir.resolve("missing.properties");
    assertThatThrownBy(() -> LOADER.load(Optional.of(missing), Map.of()))
        .hasMessageStartingWith("Cannot read demo config file " + missing + ": ");
  }

  @Test
  void tableListsEveryKeyWithDefaultAndValidValues() {
    assertThat(ConfigTable.markdown(LOADER.definition(), key -> !key.startsWith("cors")))
        .isEqualTo(
            """
            | key | default | valid values | meaning |
            | --- | --- | --- | --- |
            | `bootstrap.servers` | (required) | a non-empty value | the cluster |
            | `events.topic` | `t.events` | a Kafka topic name (letters, digits, '.', '_', '-'), or empty for none | topic |
            | `http.port` | `8080` | a number from 0 to 65535 | the port |
            | `http.secret` | (not set) | a non-empty value | a secret |
            """);
  }

  @Test
  void tableIsReadFromAndWrittenToItsReadmeSection() throws Exception {
    Path readme = dir.resolve("README.md");
    Files.writeString(
        readme,
        "intro\n<!-- config-table:demo begin -->\nold\n<!-- config-table:demo end -->\nend\n");

    assertThat(ConfigTable.inReadme(readme, "demo")).isEqualTo("old\n");
    ConfigTable.writeToReadme(readme, "demo", "| new |\n");
    assertThat(Files.readString(readme))
        .isEqualTo(
            "intro\n<!-- config-table:demo begin -->\n| new |\n<!-- config-table:demo end -->\nend\n");
  }
}
