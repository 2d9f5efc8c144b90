package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debezium MongoDB envelopes, the official connector's schema output format and its {@code
 * publish.full.document.only=true} records.
 */
class InputFormatTopologyTest {

  private static final String KEY =
      "{\"id\": \"{\\\"$oid\\\": \\\"655f0c0000000000000000a1\\\"}\"}";

  @TempDir Path stateDir;

  static String debezium(String op, String after, String before, int ord, boolean withSchema) {
    String payload =
        """
        {"before": %s, "after": %s,
         "updateDescription": %s,
         "source": {"version": "2.7.0.Final", "connector": "mongodb", "name": "dbz",
                    "ts_ms": 1700000001000, "db": "app", "collection": "orders", "ord": %d},
         "op": "%s", "ts_ms": 1700000001234}"""
            .formatted(
                before == null ? "null" : quote(before),
                after == null ? "null" : quote(after),
                op.equals("u")
                    ? "{\"removedFields\": [\"note\"], \"updatedFields\": "
                        + quote("{\"total\": 9}")
                        + ", \"truncatedArrays\": null}"
                    : "null",
                ord,
                op);
    return withSchema
        ? "{\"schema\": {\"type\": \"struct\"}, \"payload\": " + payload + "}"
        : payload;
  }

  private static String quote(String json) {
    return "\"" + json.replace("\"", "\\\"") + "\"";
  }

  private static final String DOC =
      "{\"_id\": {\"$oid\": \"655f0c0000000000000000a1\"}, \"tenantId\": \"acme\", \"total\": 9}";

  @Test
  void debeziumEnvelopesAreDetectedAndRouted() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      TestInputTopic<String, String> in = router.input("changecast.raw.dbz.app.orders");
      in.pipeInput(KEY, debezium("r", DOC, null, 1, false));
      in.pipeInput(KEY, debezium("u", DOC, null, 2, true));
      in.pipeInput(KEY, debezium("d", null, null, 3, false));
      in.pipeInput(KEY, debezium("d", null, null, 3, false)); // a connector duplicate

      List<JsonNode> out = router.envelopes();
      assertThat(out)
          .extracting(
              e ->
                  e.get("id").asText()
                      + ":"
                      + e.get("type").asText()
                      + ":"
                      + e.get("operation").asText())
          .containsExactly(
              "1:orders.created:insert", "2:orders.updated:update", "3:orders.deleted:delete");
      JsonNode update = out.get(1);
      assertThat(update.get("tenant").asText()).isEqualTo("acme");
      assertThat(update.get("documentKey"))
          .isEqualTo(RouterDriver.json("{\"_id\": {\"$oid\": \"655f0c0000000000000000a1\"}}"));
      assertThat(update.get("document").get("total").asInt()).isEqualTo(9);
      assertThat(update.get("changes"))
          .isEqualTo(
              RouterDriver.json(
                  "{\"updatedFields\": {\"total\": 9}, \"removedFields\": [\"note\"], \"truncatedArrays\": []}"));
      assertThat(update.get("clusterTime"))
          .isEqualTo(RouterDriver.json("{\"t\": 1700000001, \"i\": 2}"));
      assertThat(out.get(2).get("documentKey")).isEqualTo(out.get(0).get("documentKey"));
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void debeziumTopicsByPatternDropTombstonesAndRejectUnknownOps() {
    try (RouterDriver router =
        new RouterDriver(
            stateDir, Map.of("input.format.debezium.pattern", "changecast\\.raw\\.dbz\\..*"))) {
      TestInputTopic<String, String> in = router.input("changecast.raw.dbz.app.orders");
      in.pipeInput(KEY, debezium("c", DOC, null, 1, false));
      in.pipeInput(KEY, (String) null); // tombstone after a delete
      in.pipeInput(KEY, debezium("t", null, null, 2, false));
      in.pipeInput(KEY, "{\"op\": \"c\", \"source\": {\"db\": \"app\"}}");

      assertThat(router.envelopes()).hasSize(1);
      assertThat(router.dlq.readRecordsToList())
          .extracting(r -> header(r.headers(), "changecast.error.reason"))
          .containsExactly("unsupported-operation", "missing-field");
    }
  }

  @Test
  void deleteWithBeforeImageResolvesWithoutAnEarlierEvent() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of("input.format", "debezium"))) {
      router.input("changecast.raw.app.orders").pipeInput(KEY, debezium("d", null, DOC, 1, false));

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText())
          .containsExactly("acme");
    }
  }

  @Test
  void mongodbFormatDoesNotDetectDebezium() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of("input.format", "mongodb"))) {
      router.input("changecast.raw.app.orders").pipeInput(KEY, debezium("c", DOC, null, 1, false));

      assertThat(router.events.isEmpty()).isTrue();
      assertThat(header(router.dlq.readRecord().headers(), "changecast.error.reason"))
          .isEqualTo("missing-field");
    }
  }

  @Test
  void officialConnectorSchemaOutputIsUnwrapped() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      String value =
          """
          {"schema": {"type": "struct", "fields": []},
           "payload": {"_id": "{\\"_data\\": \\"8265AA\\"}", "operationType": "insert",
                       "clusterTime": "{\\"$timestamp\\": {\\"t\\": 1700000000, \\"i\\": 4}}",
                       "wallTime": 1700000000123,
                       "fullDocument": %s,
                       "ns": {"db": "app", "coll": "orders"},
                       "documentKey": "{\\"_id\\": {\\"$oid\\": \\"655f0c0000000000000000a1\\"}}"}}"""
              .formatted(quote(DOC));
      router.input("changecast.raw.app.orders").pipeInput("k", value);

      JsonNode envelope = router.envelopes().get(0);
      assertThat(envelope.get("tenant").asText()).isEqualTo("acme");
      assertThat(envelope.get("document").get("total").asInt()).isEqualTo(9);
      assertThat(envelope.get("clusterTime"))
          .isEqualTo(RouterDriver.json("{\"t\": 1700000000, \"i\": 4}"));
      assertThat(envelope.get("wallTime").asLong()).isEqualTo(1_700_000_000_123L);
    }
  }

  private static final String FULL_DOCUMENT_PATTERN =
      "changecast\\.raw\\.full\\.(?<db>[^.]+)\\.(?<coll>.+)";

  private static final String DOC_KEY = "{\"_id\": {\"$oid\": \"655f0c0000000000000000a1\"}}";

  @Test
  void fullDocumentsAreReplacesAndTombstonesDeletes() {
    try (RouterDriver router =
        new RouterDriver(
            stateDir, Map.of("input.format.full-document.pattern", FULL_DOCUMENT_PATTERN))) {
      TestInputTopic<String, String> in = router.input("changecast.raw.full.app.sales.orders");
      in.pipeInput(DOC_KEY, DOC);
      in.pipeInput(DOC_KEY, DOC.replace("9}", "10}"));
      in.pipeInput(DOC_KEY, (String) null); // tombstone.on.delete

      List<JsonNode> out = router.envelopes();
      assertThat(out)
          .extracting(
              e ->
                  e.get("id").asText()
                      + ":"
                      + e.get("tenant").asText()
                      + ":"
                      + e.get("type").asText()
                      + ":"
                      + e.get("operation").asText())
          .containsExactly(
              "1:acme:sales.orders.replaced:replace",
              "2:acme:sales.orders.replaced:replace",
              "3:acme:sales.orders.deleted:delete");
      assertThat(out.get(1).get("database").asText()).isEqualTo("app");
      assertThat(out.get(1).get("collection").asText()).isEqualTo("sales.orders");
      assertThat(out.get(1).get("documentKey")).isEqualTo(RouterDriver.json(DOC_KEY));
      assertThat(out.get(1).get("document").get("total").asInt()).isEqualTo(10);
      assertThat(out.get(1).has("changes")).isFalse();
      assertThat(out.get(2).has("document")).isFalse();
      assertThat(out.get(2).get("documentKey")).isEqualTo(RouterDriver.json(DOC_KEY));
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void fullDocumentsHaveNoResumeTokenSoRepeatsAreNotDropped() {
    try (RouterDriver router =
        new RouterDriver(
            stateDir, Map.of("input.format.full-document.pattern", FULL_DOCUMENT_PATTERN))) {
      TestInputTopic<String, String> in = router.input("changecast.raw.full.app.orders");
      in.pipeInput(DOC_KEY, DOC);
      in.pipeInput(DOC_KEY, DOC); // a replay, or a second update with the same lookup result

      assertThat(router.envelopes())
          .extracting(e -> e.get("id").asText())
          .containsExactly("1", "2");
    }
  }

  @Test
  void fullDocumentNamespaceFromSourceHeadersAndKeyFallback() {
    try (RouterDriver router =
        new RouterDriver(
            stateDir, Map.of("input.format.full-document.pattern", FULL_DOCUMENT_PATTERN))) {
      var headers =
          new org.apache.kafka.common.header.internals.RecordHeaders()
              .add(
                  "changecast.source.db",
                  "billing".getBytes(java.nio.charset.StandardCharsets.UTF_8))
              .add(
                  "changecast.source.coll",
                  "invoices".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      TestInputTopic<String, String> in = router.input("changecast.raw.full.app.orders");
      // the key is a resume token (document.key.as.key=false): the document's _id is used
      in.pipeInput(
          new org.apache.kafka.streams.test.TestRecord<>(
              "{\"_id\": {\"_data\": \"8265AA\"}}", DOC, headers));

      JsonNode envelope = router.envelopes().get(0);
      assertThat(envelope.get("database").asText()).isEqualTo("billing");
      assertThat(envelope.get("type").asText()).isEqualTo("invoices.replaced");
      assertThat(envelope.get("documentKey")).isEqualTo(RouterDriver.json(DOC_KEY));
    }
  }

  @Test
  void fullDocumentFaultsAreDeadLetteredWithReasons() {
    try (RouterDriver router =
        new RouterDriver(
            stateDir, Map.of("input.format.full-document.pattern", FULL_DOCUMENT_PATTERN))) {
      TestInputTopic<String, String> in = router.input("changecast.raw.full.app.orders");
      in.pipeInput(DOC_KEY, "[1]");
      in.pipeInput(DOC_KEY, "{\"tenantId\": \"acme\"}");
      in.pipeInput("not json", (String) null);
      in.pipeInput(DOC_KEY, "");
      // a delete of a document the router never saw: no tenant
      in.pipeInput("{\"_id\": 42}", (String) null);

      assertThat(router.events.isEmpty()).isTrue();
      assertThat(router.dlq.readRecordsToList())
          .extracting(
              r ->
                  header(r.headers(), "changecast.error.reason")
                      + " | "
                      + header(r.headers(), "changecast.error.detail"))
          .containsExactly(
              "not-an-object | expected a JSON object, found array [1]",
              "missing-field | missing field '_id' (the value of a full-document topic is the"
                  + " document)",
              "missing-field | a tombstone (a delete under publish.full.document.only) needs the"
                  + " document key {\"_id\": ..} as record key, found not json",
              "malformed-json | the value is empty",
              "tenant-unresolved | the event has no document and no earlier event of this document"
                  + " named its tenant (field:tenantId)");
    }
  }
}
