package io.changecast.connector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import io.changecast.contract.ControlTypes;
import io.changecast.contract.HeaderNames;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The task's copies of namespace-wide events on tenant-partitioned raw topics ({@code
 * changecast.raw.partitions}), with a scripted stand-in for the official task: each drop, rename,
 * dropDatabase and invalidate, and the history-lost control record, once to every partition; every
 * other record as the official task returned it.
 */
class ChangecastSourceTaskBroadcastTest {

  private static final Map<String, String> PARTITION = Map.of("ns", "test");
  private static final String TOPIC = "changecast.raw.shop.orders";

  private final Deque<Object> script = new ArrayDeque<>();
  private final List<SourceRecord> committedByDelegate = new ArrayList<>();
  private final Map<String, Object> stored = new HashMap<>(Map.of("_id", token("01")));

  @ParameterizedTest
  @ValueSource(strings = {"drop", "rename", "dropDatabase", "invalidate"})
  void aNamespaceWideEventIsWrittenOnceToEveryPartition(String operationType) throws Exception {
    ChangecastSourceTask task = start(3, "restart-from-now");
    SourceRecord insert = change("insert", "02");
    SourceRecord event = change(operationType, "03");
    SourceRecord after = change("update", "04");
    script.add(List.of(insert, event, after));

    List<SourceRecord> polled = task.poll();

    assertThat(polled).hasSize(5);
    assertThat(polled.get(0)).isSameAs(insert);
    assertThat(polled.get(4)).isSameAs(after);
    assertThat(insert.kafkaPartition()).isNull();
    List<SourceRecord> copies = polled.subList(1, 4);
    assertThat(copies).extracting(SourceRecord::kafkaPartition).containsExactly(0, 1, 2);
    for (SourceRecord copy : copies) {
      assertThat(copy.topic()).isEqualTo(TOPIC);
      assertThat(copy.key()).isEqualTo(event.key());
      assertThat(copy.value()).isEqualTo(event.value());
      assertThat(copy.timestamp()).isEqualTo(event.timestamp());
      assertThat(copy.sourcePartition()).isEqualTo(PARTITION);
      assertThat(headers(copy)).isEqualTo(headers(event));
    }
    assertThat(headers(event))
        .containsEntry(HeaderNames.SOURCE_CLUSTER, "localhost:27017")
        .containsEntry(HeaderNames.SOURCE_DB, "shop");
    // the event's offset only on the last copy: committed once every copy is written
    assertThat(copies)
        .extracting(SourceRecord::sourceOffset)
        .containsExactly(insert.sourceOffset(), insert.sourceOffset(), event.sourceOffset());

    copies.forEach(copy -> ack(task, copy));
    assertThat(committedByDelegate).containsExactly(copies.get(2));
  }

  @Test
  void theFirstEventOfARunCopiesCarryTheStoredOffset() throws Exception {
    ChangecastSourceTask task = start(2, "restart-from-now");
    SourceRecord drop = change("drop", "05");
    script.add(List.of(drop));

    List<SourceRecord> polled = task.poll();

    assertThat(polled).extracting(SourceRecord::kafkaPartition).containsExactly(0, 1);
    assertThat(polled)
        .extracting(SourceRecord::sourceOffset)
        .containsExactly(stored, drop.sourceOffset());
  }

  @Test
  void everyOtherRecordIsReturnedAsTheOfficialTaskReturnedIt() throws Exception {
    ChangecastSourceTask task = start(3, "restart-from-now");
    List<SourceRecord> batch =
        List.of(
            change("insert", "02"),
            change("update", "03"),
            change("replace", "04"),
            change("delete", "05"),
            change("createIndexes", "06"));
    script.add(batch);

    List<SourceRecord> polled = task.poll();

    assertThat(polled).isSameAs(batch);
    assertThat(polled).extracting(SourceRecord::kafkaPartition).containsOnlyNulls();
  }

  @Test
  void withOneRawPartitionANamespaceWideEventIsWrittenOnce() throws Exception {
    ChangecastSourceTask task = start(1, "restart-from-now");
    List<SourceRecord> batch = List.of(change("drop", "02"), change("dropDatabase", "03"));
    script.add(batch);

    List<SourceRecord> polled = task.poll();

    assertThat(polled).isSameAs(batch);
    assertThat(polled).extracting(SourceRecord::kafkaPartition).containsOnlyNulls();
  }

  @Test
  void theHistoryLostControlRecordIsWrittenOnceToEveryPartition() throws Exception {
    ChangecastSourceTask task = start(3, "restart-from-now");
    script.add(historyLost());

    List<SourceRecord> controls = task.poll();

    assertThat(controls).extracting(SourceRecord::kafkaPartition).containsExactly(0, 1, 2);
    SourceRecord first = controls.get(0);
    for (SourceRecord control : controls) {
      assertThat(control.topic()).isEqualTo("changecast.raw.shop");
      assertThat(headers(control))
          .containsEntry(HeaderNames.CONTROL, ControlTypes.HISTORY_LOST)
          .isEqualTo(headers(first));
      assertThat(control.key()).isEqualTo(first.key());
      assertThat(control.value()).isEqualTo(first.value());
      assertThat(control.sourcePartition()).isEqualTo(PARTITION);
    }
    assertThat((String) first.value()).contains("\"type\":\"history-lost\"");
    // the stale offset until the last copy, which carries the announced loss
    assertThat(controls.get(0).sourceOffset()).isEqualTo(stored);
    assertThat(controls.get(1).sourceOffset()).isEqualTo(stored);
    assertThat(controls.get(2).sourceOffset())
        .containsKey(ChangecastSourceTask.LOST_AT_KEY)
        .doesNotContainKey("_id");

    controls.forEach(control -> ack(task, control));
    assertThat(committedByDelegate).isEmpty();
  }

  @Test
  void theFailPolicyFailsOnceEveryCopyOfTheControlRecordIsAcknowledged() throws Exception {
    ChangecastSourceTask task = start(3, "fail");
    script.add(historyLost());

    List<SourceRecord> controls = task.poll();
    assertThat(controls).hasSize(3);
    controls.forEach(control -> ack(task, control));

    assertThatThrownBy(task::poll)
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("changecast.history.lost.policy=fail stops the task");
  }

  private ChangecastSourceTask start(int rawPartitions, String policy) {
    ChangecastSourceTask task = new ChangecastSourceTask(Scripted::new);
    task.initialize(new Context());
    task.start(
        Map.of(
            "connection.uri", "mongodb://localhost:27017",
            "database", "shop",
            "offset.partition.name", "test",
            "changecast.raw.partitions", Integer.toString(rawPartitions),
            "changecast.history.lost.policy", policy));
    return task;
  }

  private static SourceRecord change(String operationType, String data) {
    String ns =
        switch (operationType) {
          case "invalidate" -> "";
          case "dropDatabase" -> ",\"ns\":{\"db\":\"shop\"}";
          case "rename" ->
              ",\"ns\":{\"db\":\"shop\",\"coll\":\"orders\"},\"to\":{\"db\":\"shop\",\"coll\":\"old\"}";
          default -> ",\"ns\":{\"db\":\"shop\",\"coll\":\"orders\"}";
        };
    String value =
        "{\"_id\":{\"_data\":\""
            + data
            + "\"},\"operationType\":\""
            + operationType
            + "\",\"clusterTime\":{\"$timestamp\":{\"t\":1,\"i\":1}}"
            + ns
            + "}";
    return new SourceRecord(
        PARTITION,
        Map.of("_id", token(data)),
        TOPIC,
        null,
        Schema.STRING_SCHEMA,
        "{\"_id\":\"" + data + "\"}",
        Schema.STRING_SCHEMA,
        value,
        1_000L + Integer.parseInt(data, 16));
  }

  private static String token(String data) {
    return "{\"_data\":\"" + data + "\"}";
  }

  private static RuntimeException historyLost() {
    return new MongoCommandException(
        BsonDocument.parse(
            "{ok: 0, code: 286, codeName: 'ChangeStreamHistoryLost', errmsg: 'history lost'}"),
        new ServerAddress());
  }

  private static Map<String, String> headers(SourceRecord record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), String.valueOf(header.value()));
    }
    return headers;
  }

  private static void ack(ChangecastSourceTask task, SourceRecord record) {
    try {
      task.commitRecord(
          record,
          new RecordMetadata(
              new TopicPartition(record.topic(), record.kafkaPartition()), 0, 0, 0, 0, 0));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The official task's stand-in: returns the scripted batches, or throws a scripted failure. */
  private final class Scripted extends SourceTask {
    @Override
    public String version() {
      return "scripted";
    }

    @Override
    public void start(Map<String, String> props) {}

    @Override
    public List<SourceRecord> poll() {
      Object next = script.poll();
      if (next instanceof RuntimeException failure) {
        throw failure;
      }
      @SuppressWarnings("unchecked")
      List<SourceRecord> batch = (List<SourceRecord>) next;
      return batch;
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
      committedByDelegate.add(record);
    }

    @Override
    public void stop() {}
  }

  /** The worker's context: the offset store holds {@link #stored} for the task's partition. */
  private final class Context implements SourceTaskContext {
    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
      return null;
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
      return new OffsetStorageReader() {
        @Override
        public <T> Map<String, Object> offset(Map<String, T> partition) {
          return PARTITION.equals(partition) ? stored : null;
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(
            Collection<Map<String, T>> partitions) {
          Map<Map<String, T>, Map<String, Object>> result = new HashMap<>();
          partitions.forEach(p -> result.put(p, offset(p)));
          return result;
        }
      };
    }
  }
}
