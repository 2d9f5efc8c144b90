package io.changecast.connector.source.internal;

import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.source.TransactionContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/** The worker's task context as the official connector's task sees it: with our offset reader. */
public final class DelegateContext implements SourceTaskContext {

  private final SourceTaskContext worker;
  private final OffsetStorageReader offsets;

  public DelegateContext(SourceTaskContext worker, OffsetStorageReader offsets) {
    this.worker = worker;
    this.offsets = offsets;
  }

  @Override
  public Map<String, String> configs() {
    return worker.configs();
  }

  @Override
  public OffsetStorageReader offsetStorageReader() {
    return offsets;
  }

  @Override
  public TransactionContext transactionContext() {
    return worker.transactionContext();
  }

  @Override
  public PluginMetrics pluginMetrics() {
    return worker.pluginMetrics();
  }
}
