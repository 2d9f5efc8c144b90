package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The bounded, ordered history of change events that every change stream reads: a ring buffer of at
 * most {@code limit} events, the cluster clock, and the waiters of awaiting {@code getMore}s.
 *
 * <p>Positions are cluster times: a cursor at position {@code p} has seen everything up to and
 * including {@code p}. Reading from a position older than the newest evicted event fails with
 * {@code ChangeStreamHistoryLost}, as MongoDB does when the oplog has rolled over.
 */
public final class ChangeHistory {

  /** MongoDB's error for a resume point that is no longer in the oplog. */
  public static final int HISTORY_LOST_CODE = 286;

  /**
   * The newest cluster time any history in this JVM has issued: a new server starts after it, so a
   * token from an earlier server in the same JVM is never taken for one of the new server's.
   */
  private static final AtomicLong LATEST_IN_JVM = new AtomicLong();

  private final Clock clock;
  private final ChangeEvent[] ring;
  private int head;
  private int size;
  private long lastTime;
  private long issuedSeconds;
  private long evictedUpTo;
  private final Set<Runnable> waiters = new LinkedHashSet<>();

  /** Where this thread's changes go instead of the history while a transaction runs, if set. */
  private final ThreadLocal<List<ChangeEvent>> captured = new ThreadLocal<>();

  /** Events retained from this point on; the clock starts now. */
  public ChangeHistory(int limit, Clock clock) {
    this.clock = clock;
    this.ring = new ChangeEvent[limit];
    long start =
        ClusterTime.max(
            ClusterTime.pack(clock.instant().getEpochSecond(), 0), LATEST_IN_JVM.get() + 1);
    LATEST_IN_JVM.accumulateAndGet(start, ClusterTime::max);
    this.lastTime = start;
    this.issuedSeconds = ClusterTime.seconds(start);
    this.evictedUpTo = start;
  }

  /** A contiguous run of events after a position, and how far the reader has now scanned. */
  record Chunk(List<ChangeEvent> events, long scannedUpTo, boolean complete) {}

  /**
   * Appends a change, assigning its cluster time and wall time; wakes every waiter. Inside {@link
   * #capture} the change goes to the capturing list instead (cluster time 0).
   */
  ChangeEvent append(
      ChangeType type,
      String db,
      String coll,
      Object documentId,
      Document postImage,
      Document preImage,
      Document updateDescription) {
    return append(
        type, db, coll, documentId, postImage, preImage, updateDescription, null, null, true);
  }

  /** A change without a pre-image (a DDL event), with its description and collection UUID. */
  ChangeEvent append(
      ChangeType type, String db, String coll, Document description, java.util.UUID uuid) {
    return append(type, db, coll, null, null, null, null, description, uuid, false);
  }

  /**
   * As above, for events with an {@code operationDescription} and a collection UUID. The history
   * keeps {@code preImage} only when {@code preImageKept} (the collection had {@code
   * changeStreamPreAndPostImages} enabled); a capture keeps it anyway, for undoing the change.
   */
  ChangeEvent append(
      ChangeType type,
      String db,
      String coll,
      Object documentId,
      Document postImage,
      Document preImage,
      Document updateDescription,
      Document description,
      java.util.UUID collectionUuid,
      boolean preImageKept) {
    ChangeEvent change =
        new ChangeEvent(
            0L,
            clock.instant(),
            type,
            db,
            coll,
            documentId,
            postImage,
            preImage,
            updateDescription,
            description,
            collectionUuid,
            null,
            preImageKept);
    List<ChangeEvent> sink = captured.get();
    if (sink != null) {
      sink.add(change);
      return change;
    }
    ChangeEvent event;
    List<Runnable> toWake;
    synchronized (this) {
      Instant now = clock.instant();
      event = change.committed(nextTime(now), now, null);
      retain(event);
      toWake = takeWaiters();
    }
    toWake.forEach(Runnable::run);
    return event;
  }

  /**
   * Runs {@code action} with every change this thread makes meanwhile added to {@code sink} instead
   * of the history: a transaction's writes, appended later by {@link #appendTransaction}, or an
   * undo that must leave no trace.
   */
  <T> T capture(List<ChangeEvent> sink, Supplier<T> action) {
    List<ChangeEvent> previous = captured.get();
    captured.set(sink);
    try {
      return action.get();
    } finally {
      if (previous == null) {
        captured.remove();
      } else {
        captured.set(previous);
      }
    }
  }

  /**
   * Appends the changes a transaction committed, atomically (a reader sees all or none): they share
   * one cluster time (the commit's, which this returns) and carry {@code lsid} and {@code
   * txnNumber}; their positions (and resume tokens) follow their order in the transaction.
   */
  long appendTransaction(List<ChangeEvent> changes, Document lsid, long txnNumber) {
    List<Runnable> toWake;
    long commitTime;
    synchronized (this) {
      Instant now = clock.instant();
      commitTime = nextTime(now);
      for (int i = 0; i < changes.size(); i++) {
        long time = i == 0 ? commitTime : nextTime(now);
        retain(
            changes
                .get(i)
                .committed(time, now, new ChangeEvent.Transaction(lsid, txnNumber, commitTime, i)));
      }
      toWake = takeWaiters();
    }
    toWake.forEach(Runnable::run);
    return commitTime;
  }

  /** The next cluster time after every issued one (under this monitor). */
  private long nextTime(Instant now) {
    long lastSeconds = ClusterTime.seconds(lastTime);
    long seconds = Math.max(Math.max(now.getEpochSecond(), lastSeconds), issuedSeconds);
    long increment = seconds == lastSeconds ? ClusterTime.increment(lastTime) + 1 : 1;
    lastTime = ClusterTime.pack(seconds, increment);
    LATEST_IN_JVM.accumulateAndGet(lastTime, ClusterTime::max);
    return lastTime;
  }

  /** Adds {@code event} to the ring, evicting the oldest when full (under this monitor). */
  private void retain(ChangeEvent event) {
    if (size == ring.length) {
      evictedUpTo = ring[head].time();
      ring[head] = null;
      head = (head + 1) % ring.length;
      size--;
    }
    ring[(head + size) % ring.length] = event;
    size++;
  }

  private List<Runnable> takeWaiters() {
    List<Runnable> toWake = new ArrayList<>(waiters);
    waiters.clear();
    return toWake;
  }

  /**
   * The position a new change stream starts at, and that an idle reader reaches: the newest cluster
   * time issued, advanced to the current second when idle (like MongoDB's periodic no-op writes).
   * Every later event has a greater cluster time.
   */
  public synchronized long highWaterMark() {
    long seconds = Math.max(clock.instant().getEpochSecond(), issuedSeconds);
    long candidate = ClusterTime.pack(seconds, 0);
    if (ClusterTime.compare(candidate, lastTime) > 0) {
      issuedSeconds = seconds;
      LATEST_IN_JVM.accumulateAndGet(candidate, ClusterTime::max);
      return candidate;
    }
    return lastTime;
  }

  /** The newest cluster time issued (an event's or an idle advance's). */
  public synchronized long lastIssued() {
    return ClusterTime.max(lastTime, ClusterTime.pack(issuedSeconds, 0));
  }

  /**
   * Fails with {@code ChangeStreamHistoryLost} unless every event after {@code position} is
   * retained.
   */
  public synchronized void checkRetained(long position) {
    if (ClusterTime.compare(position, evictedUpTo) < 0) {
      throw new MongoServerError(
          HISTORY_LOST_CODE,
          "ChangeStreamHistoryLost",
          "Resume of change stream was not possible, as the resume point may no longer be in the"
              + " oplog.");
    }
  }

  /** The retained event at exactly {@code time}, or {@code null}. */
  synchronized ChangeEvent eventAt(long time) {
    int index = firstIndexAfter(time) - 1;
    if (index >= 0 && at(index).time() == time) {
      return at(index);
    }
    return null;
  }

  /**
   * The position a stream that starts at cluster time {@code clusterTime} ({@code
   * startAtOperationTime}) reads after: just before the first event whose {@code clusterTime} is at
   * or after it. A transaction's events share the commit's cluster time but have consecutive
   * positions, so this is not always {@code clusterTime - 1}. A time older than the retained
   * history stays as it is, so {@link #checkRetained} reports the loss.
   */
  public synchronized long positionBefore(long clusterTime) {
    long naive = clusterTime == 0 ? 0 : clusterTime - 1;
    if (ClusterTime.compare(naive, evictedUpTo) < 0) {
      return naive;
    }
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (ClusterTime.compare(at(mid).clusterTime(), clusterTime) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    if (low < size) {
      return at(low).time() - 1;
    }
    return ClusterTime.max(naive, lastTime);
  }

  /** Up to {@code max} events after {@code position}, oldest first. */
  synchronized Chunk readAfter(long position, int max) {
    checkRetained(position);
    int first = firstIndexAfter(position);
    int count = Math.min(max, size - first);
    List<ChangeEvent> events = new ArrayList<>(count);
    for (int i = first; i < first + count; i++) {
      events.add(at(i));
    }
    boolean complete = first + count == size;
    long scannedUpTo =
        complete
            ? ClusterTime.max(position, highWaterMark())
            : events.get(events.size() - 1).time();
    return new Chunk(events, scannedUpTo, complete);
  }

  /**
   * Runs {@code waiter} once an event after {@code position} exists: at once (returning {@code
   * false}) when one already does, else on the next append (returning {@code true}; {@link #cancel}
   * withdraws it).
   */
  synchronized boolean awaitAfter(long position, Runnable waiter) {
    if (ClusterTime.compare(lastTime, position) > 0) {
      return false;
    }
    waiters.add(waiter);
    return true;
  }

  /** Withdraws a waiter registered with {@link #awaitAfter}. */
  synchronized void cancel(Runnable waiter) {
    waiters.remove(waiter);
  }

  /** Number of retained events. */
  public synchronized int size() {
    return size;
  }

  /** Number of parked getMore requests (for tests and diagnostics). */
  public synchronized int waiterCount() {
    return waiters.size();
  }

  private ChangeEvent at(int logicalIndex) {
    return ring[(head + logicalIndex) % ring.length];
  }

  private int firstIndexAfter(long position) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (ClusterTime.compare(at(mid).time(), position) <= 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
