package io.changecast.local;

import static io.changecast.local.LocalArgs.APP_SOURCE;
import static io.changecast.local.LocalArgs.withFreePorts;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./changecast local} refuses bad options before it starts anything: one line per problem
 * naming the flag, the value and what to do, exit code 2, and the stack's starter never called.
 */
class LocalMainStartupTest {

  @TempDir Path dir;

  private final List<ServerSocket> held = new ArrayList<>();
  private final AtomicInteger starts = new AtomicInteger();

  @AfterEach
  void release() throws IOException {
    for (ServerSocket socket : held) {
      socket.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--mongo-port", "--kafka-port", "--connect-port", "--edge-port"})
  void aBusyPortIsNamedWithItsFlagBeforeAnythingStarts(String flag) throws Exception {
    int busy = busyPort();

    Run run = run(withFreePorts(flag, Integer.toString(busy)));

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith(
            "changecast local: "
                + flag
                + " "
                + busy
                + ": port "
                + busy
                + " on 127.0.0.1 is in use (")
        .endsWith(
            "; stop what uses it or choose another port: " + flag + " N (0 picks a free one)");
    assertNothingStarted(run);
  }

  @Test
  void everyBusyPortIsReportedAtOnce() throws Exception {
    int mongo = busyPort();
    int edge = busyPort();

    Run run =
        run(
            "--mongo-port",
            Integer.toString(mongo),
            "--kafka-port",
            "0",
            "--connect-port",
            "0",
            "--edge-port",
            Integer.toString(edge),
            "--no-demo",
            "--connector-config",
            APP_SOURCE.toString());

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines()).hasSize(2);
    assertThat(run.errLines().get(0)).startsWith("changecast local: --mongo-port " + mongo + ": ");
    assertThat(run.errLines().get(1)).startsWith("changecast local: --edge-port " + edge + ": ");
    assertNothingStarted(run);
  }

  @Test
  void twoFlagsWithOnePortAreRefused() {
    Run run = run(withFreePorts("--kafka-port", "65001", "--connect-port", "65001"));

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .contains(
            "changecast local: --connect-port 65001: also given to --kafka-port; give each part"
                + " its own port (--connect-port 0 picks a free one)");
    assertNothingStarted(run);
  }

  @Test
  void jwtWithoutAKeyIsRefusedBeforeAnythingStarts() {
    Run run = run(withFreePorts("--edge", "auth.mode=jwt"));

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .containsExactly(
            "changecast local: --edge auth.mode=jwt: Invalid edge config 'auth.mode': 'jwt'; it"
                + " needs a key: set"
                + " auth.jwt.hs256-secret (or auth.jwt.hs256-secret-file),"
                + " auth.jwt.rs256-public-key-file or auth.jwt.jwks-url");
    assertNothingStarted(run);
  }

  @Test
  void aMissingSecretFileIsNamedAndNoSecretIsEchoed() {
    Path missing = dir.resolve("secret.txt");

    Run run =
        run(
            withFreePorts(
                "--edge", "auth.mode=jwt", "--edge", "auth.jwt.hs256-secret-file=" + missing));

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith(
            "changecast local: --edge auth.jwt.hs256-secret-file="
                + missing
                + ": Invalid edge config 'auth.jwt.hs256-secret-file': '"
                + missing
                + "'; cannot read it: ");
    Run inline =
        run(withFreePorts("--edge", "auth.mode=none", "--edge", "auth.jwt.hs256-secret=hunter2"));
    assertThat(inline.code()).isEqualTo(LocalMain.USAGE);
    assertThat(inline.err()).contains("auth.jwt.hs256-secret=****").doesNotContain("hunter2");
    assertNothingStarted(run);
  }

  @Test
  void aMissingConnectorConfigIsNamed() {
    Path missing = dir.resolve("nope.json");

    Run run = run(withFreePorts("--connector-config", missing.toString()));

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith("changecast local: --connector-config " + missing + ": no such file")
        .endsWith("give a connector config JSON, e.g. connect-configs/app-source.json");
    assertNothingStarted(run);
  }

  @Test
  void aBrokenConnectorConfigIsNamedInOneLine() throws IOException {
    Path broken =
        Files.writeString(dir.resolve("broken.json"), "{\"name\": \"x\",\n \"config\": [");

    Run run = run(withFreePorts("--connector-config", broken.toString()));

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith("changecast local: --connector-config " + broken + ": cannot read it: ");
    assertNothingStarted(run);
  }

  @Test
  void aConnectorConfigTheRouterWouldNotReadIsRefused() throws IOException {
    String source = Files.readString(APP_SOURCE).replace("\"topic.prefix\"", "\"topic.prefx\"");
    Path typo = Files.writeString(dir.resolve("typo.json"), source);

    Run run = run(withFreePorts("--connector-config", typo.toString()));

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .singleElement()
        .asString()
        .startsWith(
            "changecast local: --connector-config "
                + typo
                + ": topic.prefx: found \"changecast.raw\", expected a key MongoSourceConnector"
                + " or Kafka Connect reads, did you mean topic.prefix?")
        .endsWith(" more; ./changecast connect validate " + typo + " lists them");
    assertNothingStarted(run);
  }

  @Test
  void anUnknownOptionIsOneLine() {
    Run run = run("--verbose");

    assertThat(run.code()).isEqualTo(LocalMain.USAGE);
    assertThat(run.errLines())
        .containsExactly(
            "changecast local: unknown option --verbose (./changecast local --help lists the"
                + " options)");
    assertNothingStarted(run);
  }

  @Test
  void aPartFailingToStartIsOneLineWithTheCauseAndExitCode1() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code =
          LocalMain.run(
              withFreePorts(),
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              e,
              options -> {
                throw new IllegalStateException(
                    "Kafka broker did not start",
                    new java.net.BindException("Address already in use"));
              });
    }

    assertThat(code).isEqualTo(LocalMain.START_FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8).split("\\R"))
        .containsExactly(
            "changecast local: could not start: Kafka broker did not start (BindException:"
                + " Address already in use)");
  }

  private int busyPort() throws IOException {
    ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    held.add(socket);
    return socket.getLocalPort();
  }

  private void assertNothingStarted(Run run) {
    assertThat(starts).as("stack starts").hasValue(0);
    assertThat(run.out()).doesNotContain("READY");
  }

  private Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code =
          LocalMain.run(
              args,
              o,
              e,
              options -> {
                starts.incrementAndGet();
                throw new IllegalStateException("the stack must not start");
              });
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : Arrays.asList(err.split("\\R"));
    }
  }
}
