package io.changecast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.local.LocalOptions;
import io.changecast.local.LocalStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness works end to end on the real local pipeline: tiny quick runs of every scenario write
 * their JSON files with the documented fields and counts, and the summary. Numbers are not checked.
 */
class BenchSmokeTest {

  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalStack stack;

  @BeforeAll
  static void startPipeline() {
    stack = LocalStack.start(LocalOptions.ephemeral(APP_SOURCE));
  }

  @AfterAll
  static void stopPipeline() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void quickModeOfEveryScenarioWritesItsResultsAndTheSummary(@TempDir Path results)
      throws IOException {
    BenchOptions options =
        BenchOptions.parse(
            "--scenario", "all",
            "--mode", "quick",
            "--results-dir", results.toString(),
            "--connector-config", APP_SOURCE.toString(),
            "--latency-writes", "50",
            "--replay-backlog", "200");

    List<Path> written = Bench.run(stack, options);

    assertThat(written)
        .containsExactly(
            results.resolve("latency-quick.json"),
            results.resolve("replay-quick.json"),
            results.resolve("SUMMARY.md"));

    JsonNode latency = JSON.readTree(results.resolve("latency-quick.json").toFile());
    assertHeader(latency, "latency");
    assertThat(latency.path("runs")).hasSize(1);
    JsonNode run = latency.path("runs").get(0);
    assertThat(run.path("targetRate").asInt()).isEqualTo(100);
    assertThat(run.path("writes").asInt()).isEqualTo(50);
    assertThat(run.path("received").asInt()).isEqualTo(50);
    assertThat(run.path("complete").asBoolean()).isTrue();
    assertThat(run.path("eventsWithoutTimes").asInt()).isZero();
    for (String hop :
        List.of("writeToMongoWallTime", "mongoWallTimeToRoutedAt", "routedAtToClient", "total")) {
      JsonNode p = run.path("hopsMs").path(hop);
      assertThat(p.path("count").asInt()).as(hop).isEqualTo(50);
      assertThat(p.fieldNames())
          .toIterable()
          .as(hop)
          .contains("p50Ms", "p90Ms", "p99Ms", "maxMs", "meanMs");
    }

    JsonNode replay = JSON.readTree(results.resolve("replay-quick.json").toFile());
    assertHeader(replay, "replay");
    assertThat(replay.path("replay").path("backlog").asInt()).isEqualTo(200);
    assertThat(replay.path("replay").path("repetitions")).hasSize(3);
    assertThat(replay.path("replay").path("repetitions"))
        .allSatisfy(
            rep -> {
              assertThat(rep.path("received").asInt()).isEqualTo(200);
              assertThat(rep.path("idsInOrder").asBoolean()).isTrue();
              assertThat(rep.has("catchUpMs")).isTrue();
              assertThat(rep.has("firstEventMs")).isTrue();
            });
    assertThat(replay.path("replay").path("catchUpMs").fieldNames())
        .toIterable()
        .contains("first", "min", "median", "max");

    String summary = Files.readString(results.resolve("SUMMARY.md"));
    assertThat(summary)
        .contains("## End-to-end latency", "## Replay", "| quick | 100 |", "| quick | 200 |")
        .contains("latency-quick.json", "replay-quick.json");
  }

  private static void assertHeader(JsonNode result, String scenario) {
    assertThat(result.path("scenario").asText()).isEqualTo(scenario);
    assertThat(result.path("mode").asText()).isEqualTo("quick");
    assertThat(result.path("timestamp").asText()).isNotBlank();
    assertThat(result.path("command").asText())
        .startsWith(BenchOptions.LAUNCHER)
        .contains("--scenario all --mode quick");
    JsonNode machine = result.path("machine");
    assertThat(machine.path("cores").asInt()).isPositive();
    assertThat(machine.path("memoryTotalBytes").asLong()).isPositive();
    assertThat(machine.path("os.name").asText()).isNotBlank();
    assertThat(machine.path("java.version").asText()).isNotBlank();
    assertThat(result.path("versions").path("kafka").asText()).isNotBlank();
    assertThat(result.path("versions").path("changecast").asText()).isNotBlank();
    assertThat(result.path("versions").path("kafka").asText()).doesNotContain("${");
    assertThat(result.path("loadAverage").path("start").has("1m")).isTrue();
    assertThat(result.path("loadAverage").path("end").has("1m")).isTrue();
  }
}
