package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.config.Sequencing;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The ingest topic, the size limit and per-type topics. */
class IngestAndRoutingTopologyTest {

  @TempDir Path stateDir;

  @ParameterizedTest
  @EnumSource(Sequencing.class)
  void publishedEventsTakeTheTenantsNextIdAfterChangeEvents(Sequencing sequencing) {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("sequencing", sequencing.configValue()))) {
      router
          .input("changecast.raw.app.orders")
          .pipeInput(
              "k", event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"acme\"}"));
      router
          .input("changecast.ingest")
          .pipeInput(
              "acme",
              "{\"tenant\": \"acme\", \"type\": \"invoice.sent\", \"data\": {\"n\": 7}, \"receivedAt\": 1700000000000}");

      List<JsonNode> out = router.envelopes();
      assertThat(out).hasSize(2);
      assertThat(out.get(1))
          .isEqualTo(
              RouterDriver.json(
                  """
                  {"id": "2", "tenant": "acme", "type": "invoice.sent", "operation": "publish",
                   "data": {"n": 7}, "routedAt": %d}"""
                      .formatted(RouterDriver.NOW)));
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '#',
      textBlock =
          """
          direct    # acme  # not json                                       # malformed-json
          direct    # acme  # [1]                                            # not-an-object
          direct    # acme  # {"tenant": "acme", "data": {}}                 # missing-field
          direct    # acme  # {"tenant": "acme", "type": " ", "data": {}}    # missing-field
          direct    # acme  # {"tenant": "acme", "type": "t"}                # missing-field
          direct    # other # {"tenant": "acme", "type": "t", "data": 1}     # invalid-field
          by-tenant # acme  # not json                                       # malformed-json
          by-tenant # other # {"tenant": "acme", "type": "t", "data": 1}     # invalid-field
          direct    # ..    # {"tenant": "..", "type": "t", "data": 1}       # tenant-invalid
          by-tenant # a b   # {"tenant": "a b", "type": "t", "data": 1}      # tenant-invalid
          """)
  void badIngestRecordsGoToTheDlqAndConsumeNoId(
      String sequencing, String key, String value, String reason) {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of("sequencing", sequencing))) {
      TestInputTopic<String, String> ingest = router.input("changecast.ingest");
      ingest.pipeInput(key, value);
      ingest.pipeInput("acme", "{\"tenant\": \"acme\", \"type\": \"t\", \"data\": null}");

      assertThat(router.envelopes()).extracting(e -> e.get("id").asText()).containsExactly("1");
      TestRecord<String, String> dead = router.dlq.readRecord();
      assertThat(dead.value()).isEqualTo(value);
      assertThat(header(dead.headers(), "changecast.error.reason")).isEqualTo(reason);
      assertThat(header(dead.headers(), "changecast.error.stage")).isEqualTo("ingest");
      assertThat(header(dead.headers(), "changecast.error.topic")).isEqualTo("changecast.ingest");
    }
  }

  @Test
  void recordsOverTheSizeLimitGoToTheDlqAsTooLarge() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of("max.record.bytes", "400"))) {
      String small = event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"acme\"}");
      String big =
          event(
              "insert",
              "app",
              "orders",
              2,
              "{\"_id\": 2, \"tenantId\": \"acme\", \"pad\": \"" + "é".repeat(150) + "\"}");
      assertThat(big.length()).isLessThan(400); // but over 400 bytes in UTF-8
      router.input("changecast.raw.app.orders").pipeInput("k", small);
      router.input("changecast.raw.app.orders").pipeInput("k", big);
      router
          .input("changecast.ingest")
          .pipeInput(
              "acme",
              "{\"tenant\": \"acme\", \"type\": \"t\", \"data\": \"" + "x".repeat(400) + "\"}");

      assertThat(router.envelopes()).hasSize(1);
      List<TestRecord<String, String>> dead = router.dlq.readRecordsToList();
      assertThat(dead)
          .extracting(r -> header(r.headers(), "changecast.error.reason"))
          .containsExactly("too-large", "too-large");
      assertThat(header(dead.get(0).headers(), "changecast.error.detail"))
          .contains("over max.record.bytes 400");
      assertThat(dead.get(0).value()).isEqualTo(big);
    }
  }

  @Test
  void typeTopicsReceiveEachEnvelopeWhenEnabled() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of("type.topics.enabled", "true"))) {
      router
          .input("changecast.raw.app.orders")
          .pipeInput(
              "k", event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"acme\"}"));
      router
          .input("changecast.ingest")
          .pipeInput("globex", "{\"tenant\": \"globex\", \"type\": \"a b/c\", \"data\": 1}");

      TestOutputTopic<String, String> created = router.output("changecast.type.orders.created");
      TestOutputTopic<String, String> odd = router.output("changecast.type.a_b_c");
      assertThat(created.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("acme");
      assertThat(RouterDriver.json(odd.readValue()).get("type").asText()).isEqualTo("a b/c");
      assertThat(router.envelopes()).hasSize(2);
    }
  }

  @Test
  void noTypeTopicsByDefault() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      router
          .input("changecast.raw.app.orders")
          .pipeInput(
              "k", event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"acme\"}"));
      assertThat(router.driver.producedTopicNames())
          .doesNotContain("changecast.type.orders.created");
    }
  }
}
