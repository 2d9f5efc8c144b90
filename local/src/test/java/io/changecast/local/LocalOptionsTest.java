package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalOptionsTest {

  @Test
  void defaultsAreTheDocumentedPorts() {
    LocalOptions options = LocalOptions.parse();

    assertThat(options.edgePort()).isEqualTo(8080);
    assertThat(options.mongoPort()).isEqualTo(27017);
    assertThat(options.mongoHistory()).isEqualTo(10_000);
    assertThat(options.kafkaPort()).isEqualTo(9092);
    assertThat(options.connectPort()).isEqualTo(8083);
    assertThat(options.demo()).isTrue();
    assertThat(options.connectorConfig()).isEqualTo(Path.of("connect-configs", "app-source.json"));
  }

  @Test
  void flagsOverrideDefaults() {
    LocalOptions options =
        LocalOptions.parse(
            "--edge-port",
            "9000",
            "--mongo-port",
            "27018",
            "--mongo-history",
            "500000",
            "--kafka-port",
            "19092",
            "--no-demo");

    assertThat(options.edgePort()).isEqualTo(9000);
    assertThat(options.mongoPort()).isEqualTo(27018);
    assertThat(options.mongoHistory()).isEqualTo(500_000);
    assertThat(options.kafkaPort()).isEqualTo(19092);
    assertThat(options.demo()).isFalse();
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> LocalOptions.parse("--edge-port", "http"))
        .hasMessage("--edge-port must be a port number from 0 to 65535, got \"http\"");
    assertThatThrownBy(() -> LocalOptions.parse("--mongo-port", "70000"))
        .hasMessage("--mongo-port must be a port number from 0 to 65535, got \"70000\"");
    assertThatThrownBy(() -> LocalOptions.parse("--mongo-history", "0"))
        .hasMessage("--mongo-history must be a positive whole number, got \"0\"");
    assertThatThrownBy(() -> LocalOptions.parse("--mongo-history", "1e6"))
        .hasMessage("--mongo-history must be a positive whole number, got \"1e6\"");
    assertThatThrownBy(() -> LocalOptions.parse("--kafka-port"))
        .hasMessageStartingWith("--kafka-port needs a value");
    assertThatThrownBy(() -> LocalOptions.parse("--verbose"))
        .hasMessageStartingWith("unknown option --verbose");
  }

  @Test
  void edgeSettingsAreRepeatableKeyValuePairs() {
    LocalOptions options =
        LocalOptions.parse(
            "--edge", "auth.mode=jwt", "--edge", "auth.jwt.hs256-secret=a=b", "--no-demo");

    assertThat(options.edgeSettings())
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of("auth.mode", "jwt", "auth.jwt.hs256-secret", "a=b"));
    assertThat(options.authEnabled()).isTrue();
    assertThat(LocalOptions.parse().authEnabled()).isFalse();
    assertThat(LocalOptions.parse("--edge", "auth.mode=NONE").authEnabled()).isFalse();
    assertThat(LocalOptions.parse("--edge", "auth.mode=JWT").authEnabled()).isTrue();
    assertThatThrownBy(() -> LocalOptions.parse("--edge", "auth.mode"))
        .hasMessageStartingWith("--edge needs KEY=VALUE, got \"auth.mode\"");
  }
}
