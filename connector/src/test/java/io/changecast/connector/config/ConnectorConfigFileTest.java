package io.changecast.connector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorConfigFileTest {

  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");

  @Test
  void readsTheShippedAppSourceConfig() {
    ConnectorConfigFile file = ConnectorConfigFile.read(APP_SOURCE);

    assertThat(file.name()).isEqualTo("changecast-source-app");
    assertThat(file.config())
        .containsEntry("connector.class", "com.mongodb.kafka.connect.MongoSourceConnector")
        .containsEntry("database", "app")
        .containsEntry("topic.prefix", "changecast.raw")
        .containsEntry("change.stream.document.key.as.key", "true");
  }

  @Test
  void overridesReplaceOnlyTheGivenKeys() {
    ConnectorConfigFile file = ConnectorConfigFile.read(APP_SOURCE);

    ConnectorConfigFile local =
        file.withOverrides(Map.of("connection.uri", "mongodb://127.0.0.1:1234"));

    assertThat(local.config()).containsEntry("connection.uri", "mongodb://127.0.0.1:1234");
    assertThat(local.config()).hasSameSizeAs(file.config());
    assertThat(local.config())
        .containsAllEntriesOf(
            Map.of("database", "app", "output.format.value", "json", "tasks.max", "1"));
  }

  @Test
  void readsABareConfigObjectNamedByItsNameKeyElseByTheFile(@TempDir Path dir) throws Exception {
    Path named =
        Files.writeString(dir.resolve("a.json"), "{\"name\": \"src\", \"connector.class\": \"X\"}");
    Path unnamed = Files.writeString(dir.resolve("my-source.json"), "{\"tasks.max\": 1}");

    assertThat(ConnectorConfigFile.read(named))
        .isEqualTo(new ConnectorConfigFile("src", Map.of("name", "src", "connector.class", "X")));
    assertThat(ConnectorConfigFile.read(unnamed))
        .isEqualTo(new ConnectorConfigFile("my-source", Map.of("tasks.max", "1")));
  }

  @Test
  void rejectsAConfigWithoutName(@TempDir Path dir) throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"config\": {}}");

    assertThatThrownBy(() -> ConnectorConfigFile.read(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(broken + ": \"name\" must be a non-empty string");
  }

  @Test
  void rejectsNestedConfigValues(@TempDir Path dir) throws Exception {
    Path broken =
        Files.writeString(
            dir.resolve("nested.json"), "{\"name\": \"x\", \"config\": {\"a\": {\"b\": 1}}}");

    assertThatThrownBy(() -> ConnectorConfigFile.read(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(broken + ": config value \"a\" must be a string, number or boolean");
  }
}
