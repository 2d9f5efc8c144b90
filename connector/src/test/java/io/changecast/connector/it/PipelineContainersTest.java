package io.changecast.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@link PipelineContainers} gives the Connect worker, checked without Docker. */
class PipelineContainersTest {

  @Test
  void workerRunsComposesPropertiesAgainstTheBrokersNetworkListener() {
    String properties = PipelineContainers.workerProperties();

    assertThat(properties.lines())
        .contains(
            "bootstrap.servers=kafka:19092",
            "plugin.path=/opt/changecast/plugins",
            "listeners=http://0.0.0.0:8083",
            "topic.creation.enable=true")
        .filteredOn(l -> l.startsWith("bootstrap.servers="))
        .hasSize(1);
  }
}
