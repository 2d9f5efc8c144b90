package io.changecast.connector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The Connect plugin archive built by {@code package}: the official connector, its MongoDB driver
 * and our jar, none of Kafka's own jars (the worker provides them; duplicates would break plugin
 * isolation).
 */
class PluginArchiveIT {

  private static final Path TARGET = Path.of("target");
  private static final Path LIB =
      TARGET.resolve("changecast-connect-plugin/changecast-connector/lib");

  @Test
  void pluginDirectoryHoldsTheConnectorsWithoutKafkasJars() throws IOException {
    List<String> jars;
    try (Stream<Path> files = Files.list(LIB)) {
      jars = files.map(f -> f.getFileName().toString()).sorted().toList();
    }

    assertThat(jars)
        .anyMatch(j -> j.startsWith("changecast-connector-"))
        .anyMatch(j -> j.startsWith("mongo-kafka-connect-"))
        .anyMatch(j -> j.startsWith("mongodb-driver-sync-"))
        .anyMatch(j -> j.startsWith("mongodb-driver-core-"))
        .anyMatch(j -> j.startsWith("bson-"))
        .noneMatch(j -> j.startsWith("kafka-"))
        .noneMatch(j -> j.startsWith("connect-"))
        .noneMatch(j -> j.startsWith("slf4j-"))
        .noneMatch(j -> j.startsWith("changecast-embedded"))
        .allMatch(j -> j.endsWith(".jar"));
  }

  @Test
  void zipHasTheSameLayoutUnderOnePluginDirectory() throws IOException {
    try (ZipFile zip = new ZipFile(TARGET.resolve("changecast-connect-plugin.zip").toFile())) {
      List<String> names = zip.stream().map(ZipEntry::getName).toList();

      assertThat(names).allMatch(n -> n.startsWith("changecast-connector/"));
      assertThat(names)
          .anyMatch(n -> n.matches("changecast-connector/lib/mongo-kafka-connect-.+\\.jar"))
          .anyMatch(n -> n.matches("changecast-connector/lib/changecast-connector-.+\\.jar"))
          .noneMatch(n -> n.matches("changecast-connector/lib/(kafka|connect)-.+"));
    }
  }
}
