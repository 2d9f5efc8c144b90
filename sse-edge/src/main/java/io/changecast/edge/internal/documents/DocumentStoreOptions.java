package io.changecast.edge.internal.documents;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB options of the edge's store when it holds the document state (Kafka Streams' {@code
 * rocksdb.config.setter}). Kafka Streams builds no Bloom filter for the last level ({@code
 * optimize_filters_for_hits}), which suits stores whose reads find their key; the document state
 * looks up many keys that are absent (each insert's previous version), so every level keeps its
 * filter here.
 */
public final class DocumentStoreOptions implements RocksDBConfigSetter {
  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    options.setOptimizeFiltersForHits(false);
  }

  @Override
  public void close(String storeName, Options options) {
    // nothing of its own to release
  }
}
