package io.changecast.connector.source.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * The worker's offset reader, except that one source partition can be given an offset of its own:
 * after a lost history, the official connector's task must not see the stale resume token still in
 * the offsets topic (the fresh offset reaches the topic only with the next offset flush).
 */
public final class OverridableOffsets implements OffsetStorageReader {

  private final OffsetStorageReader stored;
  private final Map<String, Object> partition;
  private volatile Map<String, Object> override;

  public OverridableOffsets(OffsetStorageReader stored, Map<String, Object> partition) {
    this.stored = stored;
    this.partition = Map.copyOf(partition);
  }

  /** From now on, {@code offset} is this partition's offset (null: back to the stored one). */
  public void override(Map<String, ?> offset) {
    this.override = offset == null ? null : Map.copyOf(offset);
  }

  /** Whether an override is in place. */
  public boolean overridden() {
    return override != null;
  }

  /** The partition's offset in the worker's offset store, ignoring any override. */
  public Map<String, Object> stored() {
    return stored.offset(partition);
  }

  @Override
  public <T> Map<String, Object> offset(Map<String, T> requested) {
    Map<String, Object> current = override;
    if (current != null && partition.equals(requested)) {
      return current;
    }
    return stored.offset(requested);
  }

  @Override
  public <T> Map<Map<String, T>, Map<String, Object>> offsets(
      Collection<Map<String, T>> requested) {
    Map<Map<String, T>, Map<String, Object>> result = new HashMap<>(stored.offsets(requested));
    Map<String, Object> current = override;
    if (current != null) {
      for (Map<String, T> p : requested) {
        if (partition.equals(p)) {
          result.put(p, current);
        }
      }
    }
    return result;
  }
}
