package io.changecast.connector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.testsupport.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ./changecast dlq} against an in-process broker holding dead letters as the router writes
 * them.
 */
class DlqCommandTest {

  private static final String DLQ = "changecast.dlq";

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @BeforeAll
  static void writeDeadLetters() throws Exception {
    kafka.createTopic(DLQ, 1);
    try (KafkaProducer<String, String> producer = kafka.producer(Map.of())) {
      producer.send(deadLetter("acme", "{not json", "invalid-json", "parse", 7)).get();
      producer
          .send(
              deadLetter(
                  "{\"_id\": 1}",
                  "{\"fullDocument\": {\"tenantId\": \"bad tenant/!\"}}",
                  "invalid-tenant",
                  "tenant",
                  8))
          .get();
    }
  }

  @Test
  void printsEveryDeadLetterWithItsReasonHeadersKeyAndValue() throws Exception {
    Set<String> groupsBefore = groups();
    Run run = run("--bootstrap-server", kafka.bootstrapServers());

    assertThat(run.code()).as(run.err()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines.get(0)).startsWith(DLQ + " partition 0 offset 0, ");
    assertThat(lines.subList(1, lines.size()))
        .containsSubsequence(
            "  changecast.error.reason: invalid-json",
            "  changecast.error.stage: parse",
            "  changecast.error.topic: changecast.raw.app.orders",
            "  changecast.error.offset: 7",
            "  changecast.source.db: app",
            "  key:   acme",
            "  value: {not json",
            "  changecast.error.reason: invalid-tenant",
            "  key:   {\"_id\": 1}",
            "  value: {\"fullDocument\": {\"tenantId\": \"bad tenant/!\"}}",
            "2 dead letter(s) in changecast.dlq on " + kafka.bootstrapServers());
    // The broker is shared with the run's other tests: no group beyond theirs.
    assertThat(groups()).as("no consumer group, nothing committed").isEqualTo(groupsBefore);
  }

  private static Set<String> groups() throws Exception {
    try (Admin admin = kafka.admin()) {
      return admin.listGroups().all().get().stream()
          .map(GroupListing::groupId)
          .collect(Collectors.toSet());
    }
  }

  @Test
  void lastNPrintsOnlyTheNewest() {
    Run run = run("--bootstrap-server", kafka.bootstrapServers(), "--last", "1");

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("offset 1, ", "invalid-tenant")
        .doesNotContain("invalid-json")
        .endsWith("1 dead letter(s) in changecast.dlq on " + kafka.bootstrapServers() + "\n");
  }

  @Test
  void aTopicThatDoesNotExistYetMeansNoDeadLetters() {
    Run run = run("--bootstrap-server", kafka.bootstrapServers(), "--topic", "other.dlq");

    assertThat(run.code()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            "no dead letters: topic other.dlq does not exist on "
                + kafka.bootstrapServers()
                + " (the router creates it when it starts)");
  }

  @Test
  void theBootstrapServerComesFromTheEnvironment() {
    Run run = runWithEnv(Map.of("CHANGECAST_BOOTSTRAP_SERVERS", kafka.bootstrapServers()));

    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("2 dead letter(s) in changecast.dlq on " + kafka.bootstrapServers());
  }

  @Test
  void anUnreachableBrokerIsAnErrorNamingIt() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }

    // The same failure as after the command's 10 s, without waiting them out.
    Run run = run(Duration.ofMillis(500), Map.of(), "--bootstrap-server", "127.0.0.1:" + closed);

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).startsWith("changecast dlq: Kafka at 127.0.0.1:" + closed + ": ");
  }

  @Test
  void aConnectTimeoutThatIsNotPositiveIsRefused() {
    PrintStream none = new PrintStream(OutputStream.nullOutputStream());
    assertThatThrownBy(() -> new ChangecastDlq(none, none, Map.of(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout must be positive, was PT0S");
  }

  @Test
  void badArgumentsAreUsageErrors() {
    Run run = run("--last", "0");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).startsWith("changecast dlq: --last must be a positive whole number");
  }

  private static ProducerRecord<String, String> deadLetter(
      String key, String value, String reason, String stage, long offset) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("changecast.source.db", bytes("app"));
    headers.add("changecast.error.reason", bytes(reason));
    headers.add("changecast.error.detail", bytes("detail of " + reason));
    headers.add("changecast.error.stage", bytes(stage));
    headers.add("changecast.error.topic", bytes("changecast.raw.app.orders"));
    headers.add("changecast.error.partition", bytes("0"));
    headers.add("changecast.error.offset", bytes(Long.toString(offset)));
    return new ProducerRecord<>(DLQ, null, key, value, headers);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Run run(String... args) {
    return runWithEnv(Map.of(), args);
  }

  private static Run runWithEnv(Map<String, String> env, String... args) {
    return run(ChangecastDlq.CONNECT_TIMEOUT, env, args);
  }

  private static Run run(Duration connectTimeout, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = new ChangecastDlq(o, e, env, connectTimeout).run(args);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private record Run(int code, String out, String err) {
    List<String> outLines() {
      return Arrays.asList(out.split("\\R"));
    }
  }
}
