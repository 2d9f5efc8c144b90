package io.changecast.connector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The Connect plugin built by {@code package}: the component archive {@code
 * <owner>-<name>-<version>.zip} in Confluent's layout (one root directory of that name with {@code
 * manifest.json}, {@code lib/}, {@code doc/}, {@code etc/}) whose manifest is valid and describes
 * what {@code lib/} holds, and the same content as the image's plugin directory. {@code lib/} has
 * the official connector, its MongoDB driver and our jar, none of Kafka's own jars (the worker
 * provides them; duplicates would break plugin isolation).
 */
class PluginArchiveIT {

  /** The manifest's top-level fields in Confluent's component archive specification. */
  private static final Set<String> SPEC_FIELDS =
      Set.of(
          "name",
          "version",
          "title",
          "description",
          "owner",
          "support",
          "tags",
          "requirements",
          "features",
          "logo",
          "documentation_url",
          "source_url",
          "docker_image",
          "license",
          "component_types",
          "release_date");

  private static final Set<String> COMPONENT_TYPES =
      Set.of("source", "sink", "transform", "converter");

  /** Which component type a {@code META-INF/services} file of a Connect plugin declares. */
  private static final Map<String, String> SERVICE_TYPES =
      Map.of(
          "META-INF/services/org.apache.kafka.connect.source.SourceConnector", "source",
          "META-INF/services/org.apache.kafka.connect.sink.SinkConnector", "sink",
          "META-INF/services/org.apache.kafka.connect.transforms.Transformation", "transform",
          "META-INF/services/org.apache.kafka.connect.storage.Converter", "converter");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path TARGET = Path.of("target");
  private static final Path ARCHIVE = Path.of(System.getProperty("plugin.archive"));
  private static final String ROOT = System.getProperty("plugin.archive.name");
  private static final String VERSION = System.getProperty("project.version");
  private static final Path PLUGIN_DIR = TARGET.resolve("changecast-connect-plugin");

  @Test
  void theArchiveIsNamedOwnerNameVersionWithOneRootDirectoryInTheSpecsLayout() throws IOException {
    assertThat(ARCHIVE.getFileName().toString()).isEqualTo(ROOT + ".zip");
    assertThat(ROOT).endsWith("-" + VERSION);
    try (ZipFile zip = new ZipFile(ARCHIVE.toFile())) {
      List<String> names = zip.stream().map(ZipEntry::getName).toList();

      assertThat(names).allMatch(n -> n.startsWith(ROOT + "/"));
      assertThat(names)
          .contains(ROOT + "/manifest.json", ROOT + "/doc/README.md", ROOT + "/doc/LICENSES.md")
          .anyMatch(n -> n.matches(ROOT + "/lib/mongo-kafka-connect-.+\\.jar"))
          .anyMatch(n -> n.matches(ROOT + "/lib/changecast-connector-.+\\.jar"))
          .noneMatch(n -> n.matches(ROOT + "/lib/(kafka|connect)-.+"))
          .noneMatch(n -> n.matches(ROOT + "/lib/.+") && !n.endsWith(".jar"));
      // etc/: every shipped connector config, byte for byte
      try (Stream<Path> configs = Files.list(Path.of("..", "connect-configs"))) {
        for (Path config : configs.filter(p -> p.toString().endsWith(".json")).toList()) {
          ZipEntry entry = zip.getEntry(ROOT + "/etc/" + config.getFileName());
          assertThat(entry).as("etc/" + config.getFileName()).isNotNull();
          try (InputStream in = zip.getInputStream(entry)) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(config));
          }
        }
      }
    }
  }

  @Test
  void theManifestIsValidAndItsVersionIsTheProjects() throws IOException {
    JsonNode manifest = manifest();

    assertThat(iterable(manifest.fieldNames())).isSubsetOf(SPEC_FIELDS);
    assertThat(text(manifest, "name")).matches("[a-z0-9][a-z0-9-]*");
    assertThat(text(manifest, "version")).isEqualTo(VERSION);
    assertThat(text(manifest, "title")).isNotBlank();
    assertThat(text(manifest, "description")).isNotBlank();
    JsonNode owner = manifest.path("owner");
    assertThat(owner.isObject()).as("owner is an object").isTrue();
    assertThat(text(owner, "username")).matches("[a-z0-9][a-z0-9-]*");
    assertThat(text(owner, "type")).isIn("user", "organization");
    assertThat(text(owner, "name")).isNotBlank();
    // the archive's name is <owner>-<name>-<version>
    assertThat(ROOT)
        .isEqualTo(
            text(owner, "username")
                + "-"
                + text(manifest, "name")
                + "-"
                + text(manifest, "version"));
    assertThat(text(manifest.path("support"), "summary")).isNotBlank();
    assertThat(strings(manifest, "tags")).isNotEmpty();
    assertThat(strings(manifest, "requirements")).isNotEmpty();
    JsonNode features = manifest.path("features");
    for (String flag :
        List.of(
            "single_message_transforms",
            "confluent_control_center_integration",
            "kafka_connect_api")) {
      assertThat(features.path(flag).isBoolean()).as("features." + flag + " is a boolean").isTrue();
    }
    assertThat(strings(features, "supported_encodings")).isNotEmpty();
    JsonNode licenses = manifest.path("license");
    assertThat(licenses.isArray() && !licenses.isEmpty()).as("license is a list").isTrue();
    licenses.forEach(
        license -> {
          assertThat(text(license, "name")).isNotBlank();
          assertThat(text(license, "url")).startsWith("https://");
        });
    assertThat(strings(manifest, "component_types"))
        .isNotEmpty()
        .doesNotHaveDuplicates()
        .allMatch(COMPONENT_TYPES::contains);
    assertThat(LocalDate.parse(text(manifest, "release_date"))).isNotNull();
  }

  @Test
  void theManifestsComponentTypesAreWhatThePluginsServiceFilesDeclare() throws IOException {
    Set<String> declared = new TreeSet<>();
    try (ZipFile zip = new ZipFile(ARCHIVE.toFile())) {
      ZipEntry ours =
          zip.stream()
              .filter(e -> e.getName().matches(ROOT + "/lib/changecast-connector-.+\\.jar"))
              .findFirst()
              .orElseThrow();
      try (ZipInputStream jar = new ZipInputStream(zip.getInputStream(ours))) {
        for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
          String type = SERVICE_TYPES.get(e.getName());
          if (type != null && !new String(jar.readAllBytes(), StandardCharsets.UTF_8).isBlank()) {
            declared.add(type);
          }
        }
      }
    }

    assertThat(declared).isNotEmpty();
    assertThat(new TreeSet<>(strings(manifest(), "component_types"))).isEqualTo(declared);
  }

  @Test
  void thePluginDirectoryHoldsTheArchivesContentWithoutKafkasJars() throws IOException {
    Path dir = PLUGIN_DIR.resolve("changecast-connector");
    List<String> jars;
    try (Stream<Path> files = Files.list(dir.resolve("lib"))) {
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
    Set<String> inDir;
    try (Stream<Path> files = Files.walk(dir)) {
      inDir =
          files
              .filter(Files::isRegularFile)
              .map(f -> dir.relativize(f).toString())
              .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
    Set<String> inZip;
    try (ZipFile zip = new ZipFile(ARCHIVE.toFile())) {
      inZip =
          zip.stream()
              .filter(e -> !e.isDirectory())
              .map(e -> e.getName().substring(ROOT.length() + 1))
              .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
    assertThat(inDir).isEqualTo(inZip);
  }

  private static JsonNode manifest() throws IOException {
    try (ZipFile zip = new ZipFile(ARCHIVE.toFile());
        InputStream in = zip.getInputStream(zip.getEntry(ROOT + "/manifest.json"))) {
      return JSON.readTree(in);
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    assertThat(value.isTextual()).as(field + " is a string: " + value).isTrue();
    return value.asText();
  }

  private static List<String> strings(JsonNode node, String field) {
    JsonNode value = node.path(field);
    assertThat(value.isArray()).as(field + " is a list: " + value).isTrue();
    List<String> out = new ArrayList<>();
    value.forEach(
        v -> {
          assertThat(v.isTextual()).as(field + " holds strings: " + value).isTrue();
          out.add(v.asText());
        });
    return out;
  }

  private static Set<String> iterable(java.util.Iterator<String> names) {
    Set<String> out = new LinkedHashSet<>();
    names.forEachRemaining(out::add);
    return out;
  }
}
