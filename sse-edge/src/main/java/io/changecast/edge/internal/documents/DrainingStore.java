package io.changecast.edge.internal.documents;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A store that drains the {@link DocumentApplier} before it flushes, commits or closes: Kafka
 * Streams checkpoints a global store's offset right after its flush, so the checkpoint never passes
 * an event whose documents are not written. Everything else goes to the wrapped store.
 */
public final class DrainingStore implements KeyValueStore<Bytes, byte[]> {
  private final KeyValueStore<Bytes, byte[]> inner;
  private final Supplier<DocumentApplier> applier;

  private DrainingStore(KeyValueStore<Bytes, byte[]> inner, Supplier<DocumentApplier> applier) {
    this.inner = inner;
    this.applier = applier;
  }

  /** {@code supplier}'s stores, draining {@code applier}'s current applier (null: none yet). */
  public static KeyValueBytesStoreSupplier wrap(
      KeyValueBytesStoreSupplier supplier, Supplier<DocumentApplier> applier) {
    return new KeyValueBytesStoreSupplier() {
      @Override
      public String name() {
        return supplier.name();
      }

      @Override
      public KeyValueStore<Bytes, byte[]> get() {
        return new DrainingStore(supplier.get(), applier);
      }

      @Override
      public String metricsScope() {
        return supplier.metricsScope();
      }
    };
  }

  private void drain() {
    DocumentApplier current = applier.get();
    if (current != null) {
      current.drain();
    }
  }

  @Override
  public void flush() {
    drain();
    inner.flush();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    drain();
    inner.commit(changelogOffsets);
  }

  @Override
  public void close() {
    DocumentApplier current = applier.get();
    if (current != null) {
      current.close();
    }
    inner.close();
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    inner.init(context, root);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return inner.committedOffset(partition);
  }

  @Override
  public boolean managesOffsets() {
    return inner.managesOffsets();
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
    return inner.query(query, bound, config);
  }

  @Override
  public Position getPosition() {
    return inner.getPosition();
  }

  @Override
  public void put(Bytes key, byte[] value) {
    inner.put(key, value);
  }

  @Override
  public byte[] putIfAbsent(Bytes key, byte[] value) {
    return inner.putIfAbsent(key, value);
  }

  @Override
  public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    inner.putAll(entries);
  }

  @Override
  public byte[] delete(Bytes key) {
    return inner.delete(key);
  }

  @Override
  public byte[] get(Bytes key) {
    return inner.get(key);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return inner.range(from, to);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return inner.reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> all() {
    return inner.all();
  }

  @Override
  public KeyValueIterator<Bytes, byte[]> reverseAll() {
    return inner.reverseAll();
  }

  @Override
  public <S extends org.apache.kafka.common.serialization.Serializer<P>, P>
      KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, S serializer) {
    return inner.prefixScan(prefix, serializer);
  }

  @Override
  public long approximateNumEntries() {
    return inner.approximateNumEntries();
  }
}
