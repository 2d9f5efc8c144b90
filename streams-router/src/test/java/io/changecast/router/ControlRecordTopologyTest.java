package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.metrics.RouterMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Control records on the raw topics: history-lost becomes resets, heartbeats are counted. */
class ControlRecordTopologyTest {

  @TempDir Path stateDir;

  private RouterDriver router;
  private TestInputTopic<String, String> orders;
  private TestInputTopic<String, String> invoices;

  @BeforeEach
  void start() {
    router = new RouterDriver(stateDir, Map.of());
    orders = router.input("changecast.raw.app.orders");
    invoices = router.input("changecast.raw.app.invoices");
    orders.pipeInput("k", event("insert", "app", "orders", 1, doc(1, "acme")));
    orders.pipeInput("k", event("insert", "app", "orders", 2, doc(2, "globex")));
    orders.pipeInput("k", event("insert", "app", "orders", 3, doc(3, "acme")));
    invoices.pipeInput("k", event("insert", "app", "invoices", 1, doc(1, "initech")));
    assertThat(router.envelopes()).hasSize(4);
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private static String doc(int id, String tenant) {
    return "{\"_id\": %d, \"tenantId\": \"%s\"}".formatted(id, tenant);
  }

  private static TestRecord<String, String> control(String type, String value) {
    return new TestRecord<>(
        null,
        value,
        new RecordHeaders().add("changecast.control", type.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void historyLostResetsEveryTenantSeenOnTheNamespaceWithItsNextId() {
    orders.pipeInput(
        control(
            "history-lost",
            """
            {"type": "history-lost", "namespaces": [{"db": "app", "coll": "orders"}],
             "clusterTime": {"$timestamp": {"t": 1700000100, "i": 3}}}"""));
    orders.pipeInput("k", event("insert", "app", "orders", 4, doc(4, "acme")));

    List<JsonNode> out = router.envelopes();
    assertThat(out)
        .extracting(
            e ->
                e.get("tenant").asText()
                    + ":"
                    + e.get("id").asText()
                    + ":"
                    + e.get("type").asText())
        .containsExactly(
            "acme:3:changecast.reset", "globex:2:changecast.reset", "acme:4:orders.created");
    assertThat(out.get(0))
        .isEqualTo(
            RouterDriver.json(
                """
                {"id": "3", "tenant": "acme", "type": "changecast.reset", "operation": "reset",
                 "reason": "source-history-lost", "namespaces": [{"db": "app", "coll": "orders"}],
                 "clusterTime": {"t": 1700000100, "i": 3}, "routedAt": %d}"""
                    .formatted(RouterDriver.NOW)));
    assertThat(router.dlq.isEmpty()).isTrue();
    // one per tenant reset: what the ChangecastHistoryLost alert watches
    assertThat(
            router.registry.counter(RouterMetrics.RESETS, "reason", "source-history-lost").count())
        .isEqualTo(2);
  }

  @Test
  void aNamespaceWithoutCollectionIsTheWholeDatabase() {
    invoices.pipeInput(
        control(
            "history-lost",
            "{\"type\": \"history-lost\", \"namespaces\": [{\"db\": \"app\"}, {\"db\": \"other\"}]}"));

    assertThat(router.envelopes())
        .extracting(
            e ->
                e.get("tenant").asText()
                    + ":"
                    + e.get("id").asText()
                    + ":"
                    + e.get("operation").asText())
        .containsExactly("acme:3:reset", "globex:2:reset", "initech:2:reset");
  }

  @Test
  void heartbeatIsCountedAndNotRouted() {
    orders.pipeInput(
        control(
            "heartbeat",
            "{\"type\": \"heartbeat\", \"clusterTime\": {\"$timestamp\": {\"t\": 1700000200, \"i\": 1}}}"));

    assertThat(router.events.isEmpty()).isTrue();
    assertThat(router.dlq.isEmpty()).isTrue();
    assertThat(router.registry.counter(RouterMetrics.HEARTBEATS).count()).isEqualTo(1.0);
    assertThat(router.registry.get(RouterMetrics.SOURCE_TIME).gauge().value())
        .isEqualTo(1_700_000_200.0);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '#',
      textBlock =
          """
          history-lost # not json                                              # invalid-control
          history-lost # {"type": "heartbeat"}                                 # invalid-control
          history-lost # {"type": "history-lost", "namespaces": []}            # invalid-control
          history-lost # {"type": "history-lost", "namespaces": [{"coll": "x"}]} # invalid-control
          rewind       # {"type": "rewind"}                                    # unsupported-control
          """)
  void badControlRecordsGoToTheDlq(String type, String value, String reason) {
    orders.pipeInput(control(type, value));

    assertThat(router.events.isEmpty()).isTrue();
    TestRecord<String, String> dead = router.dlq.readRecord();
    assertThat(dead.value()).isEqualTo(value);
    assertThat(header(dead.headers(), "changecast.error.reason")).isEqualTo(reason);
    assertThat(header(dead.headers(), "changecast.control")).isEqualTo(type);
  }
}
