package io.changecast.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code strimzi/connectors/} is exactly what {@link KafkaConnectorFiles} generates from {@code
 * connect-configs/}: one file per shipped config, none left over. With {@code
 * -Dkubernetes.regenerate=true} it writes them first.
 */
class KafkaConnectorFilesTest {

  @Test
  void everyShippedConnectorConfigHasItsKafkaConnectorAsGenerated() throws Exception {
    boolean regenerate = Boolean.getBoolean("kubernetes.regenerate");
    List<Path> configs = KafkaConnectorFiles.shippedConfigs();
    assertThat(configs).hasSizeGreaterThanOrEqualTo(6);
    if (regenerate) {
      Files.createDirectories(KafkaConnectorFiles.DIR);
      for (Path config : configs) {
        Files.writeString(
            KafkaConnectorFiles.resourceFile(config), KafkaConnectorFiles.generate(config));
      }
    }

    for (Path config : configs) {
      Path file = KafkaConnectorFiles.resourceFile(config);
      assertThat(file).as("the KafkaConnector of " + config).exists();
      assertThat(Files.readString(file))
          .as(file + " is generated from " + config + " (-Dkubernetes.regenerate=true)")
          .isEqualTo(KafkaConnectorFiles.generate(config));
    }
    try (Stream<Path> files = Files.list(KafkaConnectorFiles.DIR)) {
      assertThat(files.map(Path::getFileName).map(Path::toString).sorted().toList())
          .isEqualTo(
              configs.stream()
                  .map(c -> KafkaConnectorFiles.resourceFile(c).getFileName().toString())
                  .sorted()
                  .toList());
    }
  }
}
