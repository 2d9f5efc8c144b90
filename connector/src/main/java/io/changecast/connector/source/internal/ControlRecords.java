package io.changecast.connector.source.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.contract.ControlTypes;
import io.changecast.contract.HeaderNames;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;

/** Builds the control records described in {@code docs/control-records.md}. */
public final class ControlRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ControlRecords() {}

  /**
   * The one record announcing that the change-stream history of {@code watched} is lost.
   *
   * @param partition the official connector's source partition, so that {@code offset} replaces its
   *     stored resume token
   * @param offset the offset to store with it (see {@code ChangecastSourceTask})
   * @param policy the configured history-lost policy's value, e.g. {@code restart-from-now}
   */
  public static SourceRecord historyLost(
      Map<String, ?> partition,
      Map<String, ?> offset,
      String topic,
      Namespace watched,
      String policy,
      long detectedAt,
      String cluster) {
    ObjectNode value = JSON.createObjectNode();
    value.put("type", ControlTypes.HISTORY_LOST);
    value.putArray("namespaces").add(watched.toJson());
    value.put("policy", policy);
    value.put("detectedAt", detectedAt);
    SourceRecord record =
        new SourceRecord(
            partition,
            offset,
            topic,
            null,
            Schema.STRING_SCHEMA,
            write(watched.toJson()),
            Schema.STRING_SCHEMA,
            write(value),
            detectedAt);
    record.headers().addString(HeaderNames.CONTROL, ControlTypes.HISTORY_LOST);
    SourceHeaders.add(record, cluster, watched.db(), watched.coll());
    return record;
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write control record JSON", e);
    }
  }
}
