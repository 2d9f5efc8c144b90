package io.changecast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.bench.internal.LatencyScenario;
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
 * their JSON files with the documented fields and counts, the charts and the summary; the
 * side-by-side scenarios run against an edge child JVM and Pushpin (installed by {@code .ci/run}).
 * Numbers are not checked.
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
            "--replay-backlog", "200",
            "--throughput-events", "500",
            "--connections", "20",
            "--state-documents", "200",
            "--peer", "pushpin");

    List<Path> written = Bench.run(stack, options);

    assertThat(written)
        .containsExactly(
            results.resolve("latency-quick.json"),
            results.resolve("replay-quick.json"),
            results.resolve("throughput-quick.json"),
            results.resolve("idle-connections-quick.json"),
            results.resolve("fan-out-quick.json"),
            results.resolve("loopback-floor-quick.json"),
            results.resolve("document-state-quick.json"),
            results.resolve("latency-cdf-quick.png"),
            results.resolve("fan-out-deliveries-quick.png"),
            results.resolve("idle-memory-quick.png"),
            results.resolve("SUMMARY.md"));
    for (String chart :
        List.of("latency-cdf-quick.png", "fan-out-deliveries-quick.png", "idle-memory-quick.png")) {
      byte[] png = Files.readAllBytes(results.resolve(chart));
      assertThat(png).as(chart).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    JsonNode latency = JSON.readTree(results.resolve("latency-quick.json").toFile());
    assertHeader(latency, "latency");
    assertThat(latency.path("runs")).hasSize(1);
    JsonNode run = latency.path("runs").get(0);
    assertThat(run.path("targetRate").asInt()).isEqualTo(100);
    assertThat(run.path("writes").asInt()).isEqualTo(50);
    assertThat(run.path("received").asInt()).isEqualTo(50);
    assertThat(run.path("complete").asBoolean()).isTrue();
    assertThat(run.path("eventsWithoutTimes").asInt()).isZero();
    assertThat(run.path("hopsMs").size()).isEqualTo(LatencyScenario.HOPS.size());
    for (String hop : LatencyScenario.HOPS) {
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

    assertThroughput(JSON.readTree(results.resolve("throughput-quick.json").toFile()));
    assertIdle(JSON.readTree(results.resolve("idle-connections-quick.json").toFile()));
    assertFanOut(JSON.readTree(results.resolve("fan-out-quick.json").toFile()));
    assertLoopbackFloor(JSON.readTree(results.resolve("loopback-floor-quick.json").toFile()));
    assertDocumentState(JSON.readTree(results.resolve("document-state-quick.json").toFile()));

    String summary = Files.readString(results.resolve("SUMMARY.md"));
    assertThat(summary)
        .contains("## End-to-end latency", "## Replay", "| quick | 100 |", "| quick | 200 |")
        .contains("latency-quick.json", "replay-quick.json")
        .contains("## Throughput", "## Idle connections", "## Fan-out", "## Side by side")
        .contains("## Loopback floor", "| quick | events topic | 1 × 20 | 1000 |")
        .contains("| quick | stdin | 1 × 20 | 1000 |")
        .contains("Fan-out p99 against the floor's", "| quick | changecast-edge | 2 × 10 | 1000 |")
        .contains("| quick | changecast-edge | 20 |", "| quick | pushpin | 20 |")
        .contains("![idle-memory-quick.png](idle-memory-quick.png)")
        .contains("throughput-quick.json", "idle-connections-quick.json", "fan-out-quick.json")
        .contains("## Document state", "document-state-quick.json");
  }

  private static void assertDocumentState(JsonNode result) {
    assertHeader(result, "document-state");
    JsonNode state = result.path("documentState");
    assertThat(state.path("snapshotDocuments").asInt()).isEqualTo(200);
    JsonNode on = state.path("stateOn");
    assertThat(on.path("snapshot").path("documents").asInt()).isEqualTo(200);
    assertThat(on.path("snapshot").path("pagedMs").path("count").asInt()).isEqualTo(3);
    assertThat(on.path("snapshot").path("floorMs").path("count").asInt()).isEqualTo(3);
    assertThat(on.path("snapshot").path("snapshotEventsMs").path("count").asInt()).isEqualTo(3);
    assertThat(on.path("restart").path("snapshotDocumentsAfterRestart").asInt()).isEqualTo(200);
    assertThat(on.path("restart").has("recordsReadMetric")).isTrue();
    // with the state on, each burst is also timed until the state applied its marker
    assertThat(on.path("bursts").get(0).path("stateEventsPerSecond").asLong()).isPositive();
    for (JsonNode edge : List.of(on, state.path("stateOff"))) {
      assertThat(edge.path("cold").path("readyMs").asLong()).isPositive();
      assertThat(edge.path("memory").path("rssBytes").asLong()).isPositive();
      assertThat(edge.path("warmUpBursts")).hasSize(1);
      assertThat(edge.path("bursts")).hasSize(1);
      assertThat(edge.path("bursts").get(0).path("events").asInt()).isEqualTo(400);
    }
    assertThat(state.path("summary").fieldNames())
        .toIterable()
        .contains(
            "diskBytesPerMillionDocuments",
            "rssDeltaBytesPerMillionDocuments",
            "rateOnOverOff",
            "stateRateOnOverOff",
            "restartReadyMsOn",
            "restartRecordsReRead");
  }

  private static void assertThroughput(JsonNode result) {
    assertHeader(result, "throughput");
    JsonNode router = result.path("throughput").path("routerAlone");
    assertThat(router.path("records").asInt()).isEqualTo(500);
    assertThat(router.path("complete").asBoolean()).isTrue();
    assertThat(router.has("eventsPerSecond")).isTrue();
    // the router in its own JVM and the parse + envelope floor drained the same backlog
    assertThat(router.path("router").path("complete").asBoolean()).isTrue();
    assertThat(router.path("floors").path("parse-envelope").path("complete").asBoolean()).isTrue();
    assertThat(router.path("routerToFloor").has("parse-envelope")).isTrue();
    JsonNode pipeline = result.path("throughput").path("pipeline");
    assertThat(pipeline.path("steps")).hasSize(1);
    JsonNode step = pipeline.path("steps").get(0);
    assertThat(step.path("targetRate").asInt()).isEqualTo(500);
    assertThat(step.path("written").asInt()).isPositive();
    assertThat(step.fieldNames())
        .toIterable()
        .contains("achievedWriteRate", "received", "maxLag", "catchUpMs", "keptUp");
    assertThat(pipeline.has("highestKeptUpRate")).isTrue();
  }

  private static void assertIdle(JsonNode result) {
    assertHeader(result, "idle-connections");
    assertThat(result.path("client").asText()).contains("NioSseClients");
    assertThat(result.path("targets")).hasSize(2);
    assertThat(result.path("targets").findValuesAsText("name"))
        .containsExactly("changecast-edge", "pushpin");
    for (JsonNode target : result.path("targets")) {
      String name = target.path("target").path("name").asText();
      assertThat(target.path("baseline").path("rssBytes").asLong()).as(name).isPositive();
      assertThat(target.path("points")).as(name).hasSize(2);
      JsonNode last = target.path("points").get(1);
      assertThat(last.path("connections").asInt()).as(name).isEqualTo(20);
      assertThat(last.path("open").asInt()).as(name).isEqualTo(20);
      assertThat(last.path("failed").asInt()).as(name).isZero();
      assertThat(last.has("retried")).as(name).isTrue();
      assertThat(last.path("perConnectionBytes").has("rss")).as(name).isTrue();
      assertThat(last.path("perConnectionBytes").has("tcpBufferMemBothEnds")).as(name).isTrue();
    }
    // the edge is a JVM: its heap after GC is measured through jcmd
    assertThat(
            result.path("targets").get(0).path("points").get(1).path("heapAfterGcBytes").asLong())
        .isPositive();
  }

  private static void assertFanOut(JsonNode result) {
    assertHeader(result, "fan-out");
    assertThat(result.path("targets")).hasSize(2);
    for (JsonNode target : result.path("targets")) {
      String name = target.path("target").path("name").asText();
      JsonNode shapes = target.path("shapes");
      assertThat(shapes).as(name).hasSize(2);
      assertThat(shapes.get(0).path("tenants").asInt()).isEqualTo(1);
      assertThat(shapes.get(0).path("subscribers").asInt()).isEqualTo(20);
      assertThat(shapes.get(1).path("tenants").asInt()).isEqualTo(2);
      assertThat(shapes.get(1).path("subscribersPerTenant").asInt()).isEqualTo(10);
      for (JsonNode shape : shapes) {
        assertThat(shape.path("opened").asInt()).as(name).isEqualTo(20);
        assertThat(shape.has("retried")).as(name).isTrue();
        assertThat(shape.path("steps")).as(name).isNotEmpty();
        JsonNode step = shape.path("steps").get(0);
        assertThat(step.path("events").asLong()).as(name).isPositive();
        assertThat(step.path("deliveries").asLong()).as(name).isPositive();
        assertThat(step.path("latencyMs").fieldNames())
            .toIterable()
            .as(name)
            .contains("count", "p50Ms", "p99Ms", "maxMs");
        assertThat(step.path("cdfMs")).as(name).isNotEmpty();
        if (name.equals("changecast-edge")) {
          // the edge's own input lag over the step, from its histogram on /metrics
          assertThat(step.path("serverInputAgeMs").path("events").asLong()).isPositive();
          assertThat(step.path("serverInputAgeMs").path("p99AtMostMs").asText()).isNotEqualTo("-");
        }
      }
    }
  }

  private static void assertLoopbackFloor(JsonNode result) {
    assertHeader(result, "loopback-floor");
    // the writer reading the events topic, then the same writer fed over stdin
    assertFloor(result.path("floor"), "loopback-floor");
    assertThat(result.path("floor").path("target").path("input").asText()).contains("events topic");
    assertFloor(result.path("floorNoHop"), "loopback-floor-stdin");
  }

  private static void assertFloor(JsonNode floor, String name) {
    assertThat(floor.path("target").path("name").asText()).isEqualTo(name);
    // the fan-out's shapes (--connections 20: 1 × 20 and 2 × 10) through the same clients
    JsonNode shapes = floor.path("shapes");
    assertThat(shapes).hasSize(2);
    assertThat(shapes.get(0).path("subscribers").asInt()).isEqualTo(20);
    assertThat(shapes.get(1).path("tenants").asInt()).isEqualTo(2);
    for (JsonNode shape : shapes) {
      assertThat(shape.path("opened").asInt()).isEqualTo(20);
      assertThat(shape.path("failed").asInt()).isZero();
      assertThat(shape.path("steps")).isNotEmpty();
      JsonNode step = shape.path("steps").get(0);
      assertThat(step.path("targetDeliveriesPerSecond").asInt()).isEqualTo(1_000);
      // every event reached every subscriber of its tenant, each latency recorded
      assertThat(step.path("complete").asBoolean()).as(name).isTrue();
      assertThat(step.path("deliveries").asLong())
          .isPositive()
          .isEqualTo(step.path("expectedDeliveries").asLong())
          .isEqualTo(step.path("latencyMs").path("count").asLong());
      assertThat(step.path("droppedConnections").asLong()).isZero();
    }
  }

  private static void assertHeader(JsonNode result, String scenario) {
    assertThat(result.path("scenario").asText()).isEqualTo(scenario);
    assertThat(result.path("mode").asText()).isEqualTo("quick");
    assertThat(result.path("timestamp").asText()).isNotBlank();
    assertThat(result.path("command").asText())
        .startsWith("java ")
        .contains(" io.changecast.bench.Bench --scenario all --mode quick");
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
