package io.changecast.edge.internal.documents;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB options of the edge's store when it holds the document state (Kafka Streams' {@code
 * rocksdb.config.setter}). Kafka Streams builds no Bloom filter for the last level ({@code
 * optimize_filters_for_hits}), which suits stores whose reads find their key; the document state
 * looks up many keys that are absent (each insert's newest id), so every level keeps its filter
 * here. Every event writes about 2.5 KB (the event, its document's version), so Kafka Streams'
 * universal compaction, merging sorted runs from 4 on, cost about as much CPU as the writes
 * themselves: it merges from {@value #COMPACTION_TRIGGER} on (Bloom filters keep lookups in the
 * extra runs cheap), and writes slow down only from {@value #SLOWDOWN_TRIGGER} runs.
 */
public final class DocumentStoreOptions implements RocksDBConfigSetter {
  static final int COMPACTION_TRIGGER = 12;
  static final int SLOWDOWN_TRIGGER = 40;
  static final int STOP_TRIGGER = 60;

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    options.setOptimizeFiltersForHits(false);
    options.setLevel0FileNumCompactionTrigger(COMPACTION_TRIGGER);
    options.setLevel0SlowdownWritesTrigger(SLOWDOWN_TRIGGER);
    options.setLevel0StopWritesTrigger(STOP_TRIGGER);
  }

  @Override
  public void close(String storeName, Options options) {
    // nothing of its own to release
  }
}
