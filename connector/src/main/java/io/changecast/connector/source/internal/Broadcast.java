package io.changecast.connector.source.internal;

import io.changecast.contract.RawPartitions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One record written once to every partition of its topic: how the source task places the events no
 * tenant key can place on tenant-partitioned raw topics ({@link RawPartitions}), so that each
 * partition, and so each router task, holds them at their place in the change stream.
 *
 * <p>Offsets: Connect commits a source partition's offset once every record before it is
 * acknowledged, in the order the task returned them; acknowledgements of different Kafka partitions
 * arrive in any order. Were every copy to carry the event's offset, an offset flush after the first
 * copy's acknowledgement and a crash before the others were written would lose them for good. So
 * every copy but the last carries the offset from before the event ({@code before}), the last the
 * event's own: the event's offset is committed only once every copy is written, and after a crash
 * in between the connector sends all N again; the router's high-water mark per raw partition drops
 * the copies its partitions already had.
 */
public final class Broadcast {

  private Broadcast() {}

  /** Whether a change event of {@code operationType} is written to every partition. */
  public static boolean namespaceWide(String operationType) {
    return operationType != null && RawPartitions.NAMESPACE_WIDE_OPERATIONS.contains(operationType);
  }

  /**
   * {@code record} once per partition {@code 0..partitions-1} (explicit {@code kafkaPartition}), in
   * that order, with its topic, key, value, timestamp and (copied) headers. Every copy but the last
   * carries the source offset {@code before} (the offset of the source partition before this
   * record; when null, the record's own), the last the record's own offset.
   */
  public static List<SourceRecord> copies(
      SourceRecord record, int partitions, Map<String, ?> before) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, found " + partitions);
    }
    Map<String, ?> earlier = before != null ? before : record.sourceOffset();
    List<SourceRecord> copies = new ArrayList<>(partitions);
    for (int partition = 0; partition < partitions; partition++) {
      copies.add(
          new SourceRecord(
              record.sourcePartition(),
              partition == partitions - 1 ? record.sourceOffset() : earlier,
              record.topic(),
              partition,
              record.keySchema(),
              record.key(),
              record.valueSchema(),
              record.value(),
              record.timestamp(),
              record.headers().duplicate()));
    }
    return copies;
  }
}
