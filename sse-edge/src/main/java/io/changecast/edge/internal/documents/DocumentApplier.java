package io.changecast.edge.internal.documents;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;

/**
 * Applies events to the document state on a thread of its own, in batches, so the thread that hands
 * events to subscribers does not wait for it (see docs/design-notes.md, "The document state off the
 * hand-over thread").
 *
 * <p>The hand-over thread {@link #submit submits} each event after it stored it; the applier takes
 * what is queued (at most {@value #MAX_BATCH} events), applies it in id order per tenant over the
 * pending writes, and writes the whole batch — versions, newest ids, each tenant's applied id — in
 * one atomic write. So the state on disk is always exact as of some id per tenant, and a snapshot
 * as of the tenant's applied id is exact; it trails the event log by the queue. The store's
 * checkpoint must not pass an event the applier has not written: the store calls {@link #drain}
 * before it flushes (see {@link DrainingStore}), so a restart re-reads every event not applied.
 *
 * <p>The queue is bounded ({@value #CAPACITY} events): when the applier falls that far behind,
 * {@link #submit} waits. A failed write stops the applier; the next {@link #submit} or {@link
 * #drain} throws it on the caller's thread.
 */
public final class DocumentApplier implements AutoCloseable {
  static final int CAPACITY = 2_048;
  static final int MAX_BATCH = 512;

  /**
   * A tenant's obsolete versions are removed once this many of its ids passed the floor since the
   * last removal: one range over its {@code #s#} entries per this many evicted events, not one per
   * batch (see {@link DocumentState#evictThrough(KeyValues, String, long[], long, long, List)}).
   */
  static final int REMOVE_EVERY = 256;

  /** What leaves the event log once applied. */
  @FunctionalInterface
  public interface Retention {
    /**
     * Drops the tenant's events that leave the retention now that every event up to {@code
     * newestId} (its record's {@code timestamp}) is applied; returns the newest id of the tenant no
     * longer retained, -1 when none.
     */
    long evict(String tenant, long newestId, long timestamp);
  }

  /** One event to apply (its envelope's JSON text), with its record's timestamp. */
  private record Submitted(String tenant, long id, String envelope, long timestamp) {}

  private final KeyValues.Mutable kv;
  private final Documents documents;
  private final Retention retention;
  private final BlockingQueue<Submitted> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final DocumentState.Tenants tenants = new DocumentState.Tenants();
  private final Map<String, Long> applied = new ConcurrentHashMap<>();
  private final Map<String, long[]> floors = new HashMap<>(); // the applier's thread
  private final Thread thread;
  private final Object progress = new Object();
  private long submitted; // hand-over thread only
  private long written; // guarded by progress
  private volatile RuntimeException failure;
  private volatile boolean closed;

  /**
   * Starts the applier of the state in {@code kv}; {@code documents} is told the counts, {@code
   * retention} what was applied.
   */
  public DocumentApplier(KeyValues.Mutable kv, Documents documents, Retention retention) {
    this.kv = kv;
    this.documents = documents;
    this.retention = retention;
    List<String> earlier = DocumentState.earlierLayout(kv);
    if (!earlier.isEmpty()) {
      throw new IllegalStateException(
          "The edge's document state holds "
              + earlier.size()
              + " tenant(s) in the pre-release layout before versions (undo entries), which this"
              + " edge does not read: delete the edge's state directory (state.dir) or start it"
              + " under a new application.id, and it rebuilds the state from the event log");
    }
    documents.held(DocumentState.total(kv));
    documents.appliedBy(this);
    thread = new Thread(this::run, "changecast-edge-document-applier");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues event {@code id} of {@code tenant} (its envelope, its record's {@code timestamp}). Waits
   * while the queue is full.
   */
  public void submit(String tenant, long id, JsonNode envelope, long timestamp) {
    submit(tenant, id, envelope.toString(), timestamp);
  }

  /**
   * As {@link #submit(String, long, JsonNode, long)}, with the envelope's JSON text: the applier's
   * thread reads it (see {@link DocumentState#apply(KeyValues, DocumentState.Tenants, String, long,
   * String, List)}); the hand-over thread reads only the few fields it needs.
   */
  public void submit(String tenant, long id, String envelope, long timestamp) {
    rethrow();
    try {
      while (!queue.offer(
          new Submitted(tenant, id, envelope, timestamp), 100, TimeUnit.MILLISECONDS)) {
        rethrow();
        if (closed) {
          throw new IllegalStateException("the document applier is closed");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while queueing an event", e);
    }
    submitted++;
  }

  /** The tenant's applied id as the applier last wrote it (0: none yet). */
  public long applied(String tenant) {
    // until the applier writes the tenant, what the store holds (a later write replaces it)
    return applied.computeIfAbsent(tenant, t -> DocumentState.applied(kv, t));
  }

  /** Waits until every event submitted so far is written (the hand-over thread, before a flush). */
  public void drain() {
    long target = submitted;
    synchronized (progress) {
      while (written < target) {
        rethrow();
        try {
          progress.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while draining the document applier", e);
        }
      }
    }
    rethrow();
  }

  /** Whether the tenant's event {@code id} is applied, waiting at most {@code timeout} for it. */
  public boolean awaitApplied(String tenant, long id, Duration timeout) {
    if (applied(tenant) >= id) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (applied(tenant) < id) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || failure != null || closed) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(progress, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** Writes what is queued, then stops the thread. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      if (failure == null) {
        drain();
      }
    } finally {
      closed = true;
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void rethrow() {
    RuntimeException failed = failure;
    if (failed != null) {
      throw new IllegalStateException("the document state could not be written", failed);
    }
  }

  private void run() {
    List<Submitted> taken = new ArrayList<>(MAX_BATCH);
    while (!closed) {
      try {
        Submitted first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        taken.add(first);
        queue.drainTo(taken, MAX_BATCH - 1);
        applyAll(taken);
        synchronized (progress) {
          written += taken.size();
          progress.notifyAll();
        }
        taken.clear();
      } catch (InterruptedException e) {
        return; // closing
      } catch (RuntimeException e) {
        failure = e;
        synchronized (progress) {
          progress.notifyAll();
        }
        return;
      }
    }
  }

  /**
   * Applies {@code events} over the pending writes and writes them in one batch; then the retention
   * of each tenant of the batch, and in one more write every tenant's new floor and the versions
   * the events it dropped made obsolete (every {@value #REMOVE_EVERY} ids).
   */
  private void applyAll(List<Submitted> events) {
    Pending pending = new Pending(kv);
    Map<String, Long> appliedNow = new HashMap<>();
    Map<String, Long> newestTimestamp = new HashMap<>();
    long delta = 0;
    List<KeyValue<String, String>> batch = new ArrayList<>(4);
    for (Submitted event : events) {
      batch.clear();
      DocumentState.Applied result =
          DocumentState.apply(
              pending, tenants, event.tenant(), event.id(), event.envelope(), batch);
      pending.add(batch);
      delta += result.documentsDelta();
      appliedNow.merge(event.tenant(), event.id(), Math::max);
      newestTimestamp.merge(event.tenant(), event.timestamp(), Math::max);
    }
    pending.write();
    documents.adjust(delta);
    applied.putAll(appliedNow);
    List<KeyValue<String, String>> evictions = new ArrayList<>();
    appliedNow.forEach(
        (tenant, newest) -> {
          long evicted = retention.evict(tenant, newest, newestTimestamp.get(tenant));
          if (evicted >= 0) {
            long[] floor =
                floors.computeIfAbsent(tenant, t -> DocumentState.floorAndCleaned(kv, t));
            long removeThrough = evicted - floor[1] >= REMOVE_EVERY ? evicted : floor[1];
            DocumentState.evictThrough(kv, tenant, floor, evicted, removeThrough, evictions);
          }
        });
    if (!evictions.isEmpty()) {
      kv.write(evictions); // every tenant's floor at once
    }
  }

  /** The store as the writes not yet written would leave it; {@link #write} writes them at once. */
  private static final class Pending implements KeyValues.Mutable {
    private final KeyValues.Mutable store;
    private final Map<String, String> writes = new LinkedHashMap<>();

    Pending(KeyValues.Mutable store) {
      this.store = store;
    }

    void add(List<KeyValue<String, String>> batch) {
      for (KeyValue<String, String> entry : batch) {
        writes.put(entry.key, entry.value);
      }
    }

    void write() {
      if (writes.isEmpty()) {
        return;
      }
      List<KeyValue<String, String>> batch = new ArrayList<>(writes.size());
      writes.forEach((key, value) -> batch.add(KeyValue.pair(key, value)));
      store.write(batch);
      writes.clear();
    }

    @Override
    public String get(String key) {
      return writes.containsKey(key) ? writes.get(key) : store.get(key);
    }

    /**
     * Writes what is pending first (a reset reads whole namespaces: the store must hold everything
     * before it; every event before it is wholly in the pending writes).
     */
    @Override
    public void range(String from, String to, Predicate<KeyValue<String, String>> each) {
      write();
      store.range(from, to, each);
    }

    @Override
    public void write(List<KeyValue<String, String>> batch) {
      add(batch);
    }
  }
}
