package io.changecast.connector.cli;

import static io.changecast.testsupport.KafkaBroker.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.embedded.kafka.EmbeddedConnect;
import io.changecast.testsupport.CountingSourceConnector;
import io.changecast.testsupport.KafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** deploy and status against a real Kafka Connect worker (embedded broker and worker). */
class DeployStatusTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private static EmbeddedConnect connect;
  private static String url;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    connect = kafka.startConnect(options -> options);
    url = connect.restUrl().toString();
  }

  @AfterAll
  static void stop() {
    if (connect != null) {
      connect.close();
    }
  }

  @Test
  void deployCreatesThenUpdatesAndStatusReportsRunning() throws IOException {
    String name = unique("idle");
    Path file = idle(name, false);

    CliRun created = CliRun.run("deploy", file.toString(), "--connect", url);

    assertThat(created.exitCode()).as(created.out()).isZero();
    assertThat(created.outLines()).endsWith(file + ": created connector " + name + " on " + url);

    CliRun again = CliRun.run("deploy", file.toString(), "--connect", url);
    assertThat(again.exitCode()).isZero();
    assertThat(again.outLines()).endsWith(file + ": updated connector " + name + " on " + url);

    String worker = connect.restUrl().getHost() + ":" + connect.restUrl().getPort();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              CliRun status = CliRun.run("status", name, "--connect", url);
              assertThat(status.exitCode()).isZero();
              assertThat(status.outLines())
                  .containsExactly(name + ": connector RUNNING on " + worker + "; task 0 RUNNING");
            });

    CliRun all = CliRun.runWithEnv(Map.of(ChangecastConnect.CONNECT_URL_ENV, url), "status");
    assertThat(all.out()).contains(name + ": connector RUNNING on " + worker);
  }

  @Test
  void statusReportsAFailedTaskWithItsErrorAndExitsOne() throws IOException {
    String name = unique("failing");
    assertThat(CliRun.run("deploy", idle(name, true).toString(), "--connect", url).exitCode())
        .isZero();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              CliRun status = CliRun.run("status", name, "--connect", url);
              assertThat(status.exitCode()).isEqualTo(1);
              assertThat(status.out())
                  .contains(
                      "; task 0 FAILED (java.lang.IllegalStateException: failing as configured)");
            });
  }

  @Test
  void workerRejectionIsReportedWithTheRestMessage() throws IOException {
    // Offline validation passes; the worker's own validation connects to MongoDB and fails.
    String name = unique("source");
    ObjectNode root = ValidateCommandTest.appSource();
    root.put("name", name);
    ((ObjectNode) root.get("config"))
        .put("connection.uri", "mongodb://127.0.0.1:" + closedPort() + "/?connectTimeoutMS=300");
    Path file = Files.writeString(dir.resolve("source.json"), JSON.writeValueAsString(root));

    CliRun run = CliRun.run("deploy", file.toString(), "--connect", url);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out())
        .startsWith(
            file
                + ": "
                + url
                + " rejected connector "
                + name
                + " with HTTP 400: Connector configuration is invalid")
        .contains("Unable to connect to the server.");
    assertThat(CliRun.run("status", name, "--connect", url).out())
        .isEqualTo(name + ": no such connector on " + url + System.lineSeparator());
  }

  @Test
  void deployRefusesAnOfflineInvalidConfigWithoutCallingConnect() throws IOException {
    ObjectNode root = ValidateCommandTest.appSource();
    ((ObjectNode) root.get("config")).put("errors.tolerance", "all");
    Path file = Files.writeString(dir.resolve("bad.json"), JSON.writeValueAsString(root));

    CliRun run = CliRun.run("deploy", file.toString(), "--connect", "http://127.0.0.1:9");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines())
        .hasSize(2)
        .last()
        .isEqualTo("not deployed: fix the errors above, or pass --skip-validate");
    assertThat(run.outLines().get(0)).startsWith(file + ": ERROR errors.tolerance: found \"all\"");
  }

  @Test
  void unknownConnectorIsReportedAndExitsOne() {
    CliRun run = CliRun.run("status", "no-such-connector", "--connect", url);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).startsWith("no-such-connector: no such connector on " + url);
  }

  @Test
  void unreachableConnectIsAnEnvironmentErrorExitingTwo() throws IOException {
    CliRun run = CliRun.run("status", "--connect", "http://127.0.0.1:" + closedPort());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("changecast-connect: Kafka Connect unreachable: GET http://");
  }

  private Path idle(String name, boolean fail) throws IOException {
    ObjectNode root = JSON.createObjectNode().put("name", name);
    root.putObject("config")
        .put("connector.class", CountingSourceConnector.class.getName())
        .put("tasks.max", "1")
        .put("fail", String.valueOf(fail));
    return Files.writeString(dir.resolve(name + ".json"), JSON.writeValueAsString(root));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
