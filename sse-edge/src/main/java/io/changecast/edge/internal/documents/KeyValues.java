package io.changecast.edge.internal.documents;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The few key-value operations the document state needs, over a Kafka Streams store (the edge) or a
 * sorted map (the in-memory event log of tests). A range is read in one pass in key order; over
 * RocksDB it sees one point in time (its iterator's implicit snapshot).
 */
public interface KeyValues {
  String get(String key);

  /**
   * Calls {@code each} for the entries with {@code from <= key <= to}, in key order, until it
   * returns false.
   */
  void range(String from, String to, Predicate<KeyValue<String, String>> each);

  /** A writable {@link KeyValues}. */
  interface Mutable extends KeyValues {
    /**
     * Writes the entries in one atomic write (a null value deletes its key): a reader, a range or a
     * crash sees all of them or none.
     */
    void write(List<KeyValue<String, String>> batch);
  }

  /** Reads a Kafka Streams store (interactive queries). */
  static KeyValues of(ReadOnlyKeyValueStore<String, String> store) {
    return new KeyValues() {
      @Override
      public String get(String key) {
        return store.get(key);
      }

      @Override
      public void range(String from, String to, Predicate<KeyValue<String, String>> each) {
        try (KeyValueIterator<String, String> it = store.range(from, to)) {
          while (it.hasNext() && each.test(it.next())) {
            // each decides
          }
        }
      }
    };
  }

  /**
   * Reads and writes a Kafka Streams store (the global processor); atomic writes need the
   * persistent store ({@code putAll} is one RocksDB write batch there).
   */
  static Mutable of(KeyValueStore<String, String> store) {
    KeyValues reads = of((ReadOnlyKeyValueStore<String, String>) store);
    return new Mutable() {
      @Override
      public String get(String key) {
        return reads.get(key);
      }

      @Override
      public void range(String from, String to, Predicate<KeyValue<String, String>> each) {
        reads.range(from, to, each);
      }

      @Override
      public void write(List<KeyValue<String, String>> batch) {
        store.putAll(batch); // RocksDB: one WriteBatch
      }
    };
  }

  /** A sorted map; a range copies its entries under the lock, so it sees one point in time. */
  static Mutable inMemory() {
    TreeMap<String, String> map = new TreeMap<>();
    return new Mutable() {
      @Override
      public synchronized String get(String key) {
        return map.get(key);
      }

      @Override
      public void range(String from, String to, Predicate<KeyValue<String, String>> each) {
        List<KeyValue<String, String>> copy = new ArrayList<>();
        synchronized (this) {
          for (Map.Entry<String, String> e : map.subMap(from, true, to, true).entrySet()) {
            copy.add(KeyValue.pair(e.getKey(), e.getValue()));
          }
        }
        for (KeyValue<String, String> entry : copy) {
          if (!each.test(entry)) {
            return;
          }
        }
      }

      @Override
      public synchronized void write(List<KeyValue<String, String>> batch) {
        for (KeyValue<String, String> entry : batch) {
          if (entry.value == null) {
            map.remove(entry.key);
          } else {
            map.put(entry.key, entry.value);
          }
        }
      }
    };
  }
}
