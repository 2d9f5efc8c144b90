package io.changecast.connector.source.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class SourceHeadersTest {

  private static final Namespace WATCHED = new Namespace("app", null);

  private static SourceRecord record(Object value) {
    return new SourceRecord(
        Map.of("ns", "p"), Map.of("_id", "t"), "topic", Schema.STRING_SCHEMA, "k", null, value);
  }

  private static Map<String, String> headers(SourceRecord record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), (String) header.value());
    }
    return headers;
  }

  @Test
  void namespaceComesFromTheChangeEventAfterSkippingTheDocument() {
    SourceRecord record =
        record(
            "{\"_id\": {\"_data\": \"82\"}, \"operationType\": \"insert\", \"fullDocument\":"
                + " {\"ns\": {\"db\": \"decoy\", \"coll\": \"decoy\"}, \"list\": [1, {\"a\": 2}]},"
                + " \"ns\": {\"db\": \"app\", \"coll\": \"orders\"}, \"documentKey\": {\"_id\": 1}}");

    SourceHeaders.addFromEvent(record, "rs0", WATCHED);

    assertThat(headers(record))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "changecast.source.cluster", "rs0",
                "changecast.source.db", "app",
                "changecast.source.coll", "orders"));
  }

  @Test
  void withoutANamespaceTheWatchedOneIsNamed() {
    SourceRecord heartbeat = record(null);
    SourceRecord unparsable = record("not json {");

    SourceHeaders.addFromEvent(heartbeat, "rs0", WATCHED);
    SourceHeaders.addFromEvent(unparsable, "rs0", WATCHED);

    assertThat(headers(heartbeat))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("changecast.source.cluster", "rs0", "changecast.source.db", "app"));
    assertThat(headers(unparsable)).isEqualTo(headers(heartbeat));
  }

  @Test
  void deploymentNamespaceIsAnEmptyObject() {
    assertThat(new Namespace(null, null).toJson().toString()).isEqualTo("{}");
    assertThat(Namespace.of("app", "").toJson().toString()).isEqualTo("{\"db\":\"app\"}");
    assertThat(Namespace.of("", "orders")).isEqualTo(new Namespace(null, null));
  }
}
