package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The router image built by {@code -Pimages-tar} ({@code jib:buildTar}, no Docker daemon): a
 * docker-load tarball named as docker-compose.yml runs it, whose entrypoint starts the router's
 * main class with the class path of its layers, as a non-root user, with the logging config, the
 * health check script and the container defaults. Runs only under that profile (which passes the
 * tar path); build it here with {@code -Dimages.base=scratch}, no registry needed.
 */
class ImageTarIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void imageTarHasTheRouterLayersAndEntrypoint() throws IOException {
    String tar = System.getProperty("images.tar");
    assumeTrue(tar != null, "runs under -Pimages only");
    Map<String, byte[]> entries = untar(Files.newInputStream(Path.of(tar)));

    JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
    assertThat(manifest.path("RepoTags").get(0).asText())
        .isEqualTo(System.getProperty("images.name"))
        .startsWith("changecast/streams-router:");
    JsonNode config = JSON.readTree(entries.get(manifest.path("Config").asText()));
    List<String> entrypoint = new ArrayList<>();
    config.path("config").path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertThat(entrypoint).startsWith("java").contains("-XX:MaxRAMPercentage=75");
    assertThat(entrypoint.subList(entrypoint.size() - 4, entrypoint.size()))
        .containsExactly(
            "-Dlogback.configurationFile=/etc/changecast/logback.xml",
            "-cp",
            "@/app/jib-classpath-file",
            ChangecastRouter.class.getName());
    assertThat(config.path("config").path("User").asText()).isEqualTo("10001:10001");
    List<String> env = new ArrayList<>();
    config.path("config").path("Env").forEach(e -> env.add(e.asText()));
    assertThat(env)
        .contains("CHANGECAST_ROUTER_METRICS_HOST=0.0.0.0", "CHANGECAST_ROUTER_METRICS_PORT=9464");

    List<String> files = new ArrayList<>();
    for (JsonNode layer : manifest.path("Layers")) {
      byte[] gz = entries.get(layer.asText());
      assertThat(gz).as("layer " + layer).isNotNull();
      files.addAll(untar(new GZIPInputStream(new java.io.ByteArrayInputStream(gz))).keySet());
    }
    assertThat(files)
        .contains(
            "app/classes/io/changecast/router/ChangecastRouter.class",
            "app/jib-classpath-file",
            "etc/changecast/logback.xml",
            "usr/local/bin/changecast-healthcheck")
        .anyMatch(f -> f.matches("app/libs/logback-classic-.+\\.jar"))
        .anyMatch(f -> f.matches("app/libs/kafka-streams-.+\\.jar"))
        .anyMatch(f -> f.matches("app/libs/jackson-databind-.+\\.jar"))
        .noneMatch(f -> f.contains("junit") || f.contains("kafka-streams-test-utils"));
  }

  /** The regular files of a (ustar/GNU) tar stream: name without leading {@code ./} → bytes. */
  private static Map<String, byte[]> untar(InputStream in) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (in) {
      byte[] header = new byte[512];
      String longName = null;
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name = longName != null ? longName : field(header, 0, 100);
        longName = null;
        String prefix = field(header, 345, 155);
        if (!prefix.isEmpty() && header[257] == 'u') {
          name = prefix + "/" + name;
        }
        String octal = field(header, 124, 12).trim();
        long size = octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
        byte[] data = in.readNBytes((int) size);
        in.readNBytes((int) ((512 - size % 512) % 512));
        char type = (char) header[156];
        if (type == 'L') {
          longName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
        } else if (type == '0' || type == 0) {
          files.put(name.startsWith("./") ? name.substring(2) : name, data);
        }
      }
    }
    return files;
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }
}
