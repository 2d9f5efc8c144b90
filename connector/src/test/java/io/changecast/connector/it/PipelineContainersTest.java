package io.changecast.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What {@link PipelineContainers} gives the containers, checked without Docker against compose. */
class PipelineContainersTest {

  @Test
  void workerRunsComposesPropertiesAgainstTheBrokersNetworkListener() {
    String properties = PipelineContainers.workerProperties();

    assertThat(properties.lines())
        .contains(
            "bootstrap.servers=kafka:19092",
            "plugin.path=/opt/changecast/plugins",
            "listeners=http://:8083",
            "topic.creation.enable=true")
        .filteredOn(l -> l.startsWith("bootstrap.servers="))
        .hasSize(1);
  }

  /**
   * The replica set is initiated as compose's {@code mongo-init} does, so the shipped configs'
   * {@code connection.uri} (replica set discovery, not a direct connection) works unchanged.
   */
  @Test
  void replicaSetIsComposesSoShippedConnectionUrisWorkUnchanged() throws IOException {
    assertThat(Files.readString(Path.of("..", "docker-compose.yml")))
        .contains(PipelineContainers.REPLICA_SET_INIT);
    assertThat(
            new ObjectMapper()
                .readTree(Files.readString(Path.of("..", "connect-configs", "app-source.json")))
                .path("config")
                .path("connection.uri")
                .asText())
        .isEqualTo(PipelineContainers.MONGO_URI_IN_NETWORK);
  }
}
