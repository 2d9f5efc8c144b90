package io.changecast.edge.internal.stream;

import io.changecast.edge.internal.log.ClusterTime;
import io.changecast.edge.internal.log.Event;
import java.util.Optional;

/**
 * How one transport writes a stream's frames. {@link StreamSession} decides what is sent (replay,
 * live, resets, overflow, heartbeats) and calls these from one thread at a time; implementations
 * encode and gather the frames of one drain, then {@link #flush} hands them to the connection
 * without blocking: a drain never waits for a client, so a few threads write every stream.
 */
public interface Frames {
  /** Told once when a flush is done: {@code failure} is null when the bytes were written. */
  @FunctionalInterface
  public interface Written {
    void written(Throwable failure);
  }

  /** The first bytes of the stream (SSE: the {@code retry:} line; WebSocket: nothing). */
  void open();

  /** A data event (unnamed in SSE). */
  void data(Event event);

  /** One document of the snapshot a stream opened with, as a named {@code snapshot} event. */
  void snapshot(String entryJson);

  /** The end of that snapshot, a named {@code snapshot-end} event with {@code id} {@code asOf}. */
  void snapshotEnd(long asOf);

  /** A router reset envelope ({@code changecast.reset}) with its id, as a named {@code reset}. */
  void routerReset(Event event);

  /** A retention reset without an id: events before {@code oldestRetainedId} are gone. */
  void retentionReset(long oldestRetainedId);

  /** The final event of a stream whose queue overflowed; {@code lastSentId} is -1 before any. */
  void overflow(long lastSentId);

  /** A heartbeat carrying the source's latest cluster time, when known. */
  void heartbeat(Optional<ClusterTime> clusterTime);

  /** Whether enough is gathered to flush before adding more (a long replay goes in parts). */
  boolean full();

  /**
   * Writes what was gathered since the last flush, without blocking. {@code done} is told when it
   * is written or failed, possibly before this returns (on this thread) or later on another; one
   * flush at a time.
   */
  void flush(Written done);

  /** The JSON text of the overflow event's data. */
  static String overflowData(long lastSentId) {
    return "{\"reason\":\"slow-client\",\"lastEventId\":"
        + (lastSentId < 0 ? "null" : "\"" + lastSentId + "\"")
        + "}";
  }

  /** The JSON text of the snapshot-end event's data. */
  static String snapshotEndData(long asOf) {
    return "{\"asOf\":\"" + asOf + "\"}";
  }

  /** The JSON text of a retention reset's data. */
  static String retentionResetData(long oldestRetainedId) {
    return "{\"reason\":\"retention\",\"oldestRetainedId\":\"" + oldestRetainedId + "\"}";
  }
}
