package io.changecast.edge.internal.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.ClusterTime;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.Subscription;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serial writer of one open stream of one tenant, whatever the transport (SSE or WebSocket, see
 * {@link Frames}); what to write, and in which order, is its {@link ReplayCursor}'s. Live events
 * are queued by the publishing thread ({@link #offer}, never blocks) in a queue bounded by the
 * capacity; a single drain task at a time gathers them on the writer executor and flushes them
 * without blocking, and the next drain starts only once that write is done, so all writes to the
 * connection are serial and a client that does not read holds no thread. The first drain opens the
 * stream and writes the backlog (a snapshot's documents, the replay), then the queued live events.
 * When the queue overflows, the session writes a final {@code overflow} event and closes; a write
 * that stays pending is cut from outside by {@link OpenStreams}' watchdog through {@link #abort}
 * (the write then fails).
 */
public final class StreamSession {
  private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);

  /** Why a stream ended; the transport may tell the client (WebSocket close codes). */
  public enum CloseReason {
    /** The client went away, a write failed, or the response ended. */
    ENDED,
    /** The live queue overflowed (the final {@code overflow} event was sent if possible). */
    OVERFLOW,
    /** A write blocked longer than the write timeout: the connection was aborted. */
    STALLED,
    /** The token the stream was opened with is no longer accepted. */
    TOKEN_EXPIRED,
    /** The server is shutting down; the client should reconnect elsewhere. */
    SHUTDOWN,
    /** The transport never started the stream (e.g. a WebSocket upgrade that did not complete). */
    NOT_STARTED
  }

  private final String tenant;
  private final Transport transport;
  private final Executor writer;
  private final Linger linger;
  private final EdgeMetrics metrics;
  private final Supplier<Optional<ClusterTime>> clusterTime;
  private final ReplayCursor cursor;
  private final int capacity;

  private final Queue<Event> live = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean heartbeatDue = new AtomicBoolean();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<CloseReason> done = new CompletableFuture<>();
  private final long createdAtNanos = System.nanoTime();
  private volatile boolean started;
  private volatile long overflowedAtNanos; // 0: no overflow
  private volatile long writingSinceNanos; // 0: no drain running and no write pending
  private volatile long lastWriteNanos; // when the last drain flushed (for the linger)
  private volatile Runnable abort = () -> {};
  private volatile Subscription subscription = () -> {};

  // Touched only by the drain task (serialised through drainScheduled).
  private Frames frames;
  private boolean opened;
  private int sentInDrain; // data events written by the current drain, counted once at its end
  private boolean endAfterFlush; // the overflow event is gathered: close once it is written
  private boolean flushed; // the current drain reached its flush

  /**
   * @param position the id the client resumes after, if any: ids above it are sent, and a jump past
   *     {@code position + 1} is announced as a retention reset
   */
  StreamSession(
      String tenant,
      Transport transport,
      OptionalLong position,
      EventFilter filter,
      int capacity,
      Executor writer,
      Linger linger,
      EdgeMetrics metrics,
      Supplier<Optional<ClusterTime>> clusterTime) {
    this(
        tenant,
        transport,
        position,
        filter,
        capacity,
        writer,
        linger,
        metrics,
        clusterTime,
        event -> List.of());
  }

  /**
   * @param versions the other versions of an event's document, for the filter rule of filtered
   *     streams (see {@link EventFilter#matchesChange})
   */
  StreamSession(
      String tenant,
      Transport transport,
      OptionalLong position,
      EventFilter filter,
      int capacity,
      Executor writer,
      Linger linger,
      EdgeMetrics metrics,
      Supplier<Optional<ClusterTime>> clusterTime,
      Function<Event, List<JsonNode>> versions) {
    this.cursor = new ReplayCursor(position, filter, versions);
    this.tenant = tenant;
    this.transport = transport;
    this.capacity = capacity;
    this.writer = writer;
    this.linger = linger;
    this.metrics = metrics;
    this.clusterTime = clusterTime;
  }

  String tenant() {
    return tenant;
  }

  Transport transport() {
    return transport;
  }

  /** Completes with the reason when the stream is closed; the transport then ends it. */
  public CompletableFuture<CloseReason> done() {
    return done;
  }

  /** Queues a live event (called by the event log's publishing thread; never blocks). */
  void offer(Event event) {
    if (closed.get() || overflowedAtNanos != 0) {
      return;
    }
    if (queued.incrementAndGet() > capacity) {
      overflowedAtNanos = System.nanoTime();
      metrics.slowClientDisconnected(transport);
      live.clear();
    } else {
      live.add(event);
    }
    scheduleDrain();
  }

  /** Queues a heartbeat comment. */
  void heartbeat() {
    heartbeatDue.set(true);
    scheduleDrain();
  }

  /** The live subscription feeding {@link #offer}; closed with the session. */
  void subscribed(Subscription subscription) {
    this.subscription = subscription;
    if (closed.get()) {
      subscription.close(); // closed meanwhile (e.g. the token expired at once)
    }
  }

  /**
   * Starts writing: the transport's opening, the replay, then live events. Once, when the
   * connection is ready (SSE: the response is async; WebSocket: the upgrade is done).
   *
   * @param abort closes the connection under a blocked write (the write then fails)
   */
  void start(Frames frames, List<Event> replay, Runnable abort) {
    start(frames, null, replay, abort);
  }

  /**
   * As {@link #start(Frames, List, Runnable)}, sending {@code snapshot} first (when not null): its
   * documents, then {@code snapshot-end} with id {@code asOf}; the stream then goes on after {@code
   * asOf} (the replay and the live events up to it are skipped).
   */
  void start(Frames frames, ReplayCursor.Snapshot snapshot, List<Event> replay, Runnable abort) {
    this.frames = frames;
    cursor.backlog(snapshot, replay);
    this.abort = abort;
    started = true;
    scheduleDrain();
  }

  /** Ends the stream (idempotent): unsubscribes and lets the transport end the connection. */
  public void close(CloseReason reason) {
    if (closed.compareAndSet(false, true)) {
      subscription.close();
      live.clear();
      done.complete(reason);
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /**
   * Called periodically by the watchdog: cuts the connection when a drain has been writing for
   * longer than {@code writeTimeoutNanos} (the client stopped reading), or when the queue
   * overflowed more than {@code overflowGraceNanos} ago and the final event could not be written. A
   * session its transport never started is closed after {@code writeTimeoutNanos} too (it holds a
   * subscription and a place under the caps). Returns whether it cut.
   */
  boolean cutIfStalled(long nowNanos, long writeTimeoutNanos, long overflowGraceNanos) {
    if (closed.get()) {
      return false;
    }
    if (!started) {
      if (nowNanos - createdAtNanos > writeTimeoutNanos) {
        LOG.debug("A {} stream of tenant {} was never started", transport, tenant);
        close(CloseReason.NOT_STARTED);
        return true;
      }
      return false;
    }
    long writingSince = writingSinceNanos;
    long overflowedAt = overflowedAtNanos;
    boolean stalled = writingSince != 0 && nowNanos - writingSince > writeTimeoutNanos;
    boolean overflowStuck = overflowedAt != 0 && nowNanos - overflowedAt > overflowGraceNanos;
    if (!stalled && !overflowStuck) {
      return false;
    }
    LOG.info(
        "Cutting a {} stream of tenant {}: {}",
        transport,
        tenant,
        stalled ? "a write is blocked (the client does not read)" : "its queue overflowed");
    if (stalled && overflowedAt == 0) {
      metrics.slowClientDisconnected(transport);
    }
    try {
      abort.run();
    } catch (RuntimeException e) {
      LOG.debug("Aborting the connection failed", e);
    }
    close(overflowedAt != 0 ? CloseReason.OVERFLOW : CloseReason.STALLED);
    return true;
  }

  private void scheduleDrain() {
    // get() first: while a drain is pending (under load, for most offers) no locked CAS is paid
    if (started
        && !closed.get()
        && !drainScheduled.get()
        && drainScheduled.compareAndSet(false, true)
        && !linger.defer(this, lastWriteNanos)) {
      drainNow();
    }
  }

  /** Runs the scheduled drain on the writer executor (at once, or on the linger's tick). */
  void drainNow() {
    try {
      writer.execute(this::drain);
    } catch (RejectedExecutionException shuttingDown) {
      drainScheduled.set(false);
      close(CloseReason.SHUTDOWN);
    }
  }

  /**
   * Gathers what is due (the opening and the replay first, then live events, the overflow event, a
   * heartbeat) and flushes it without blocking; {@link #written} ends the drain, on this thread
   * when the connection took the bytes at once, else when the write completes.
   */
  private void drain() {
    writingSinceNanos = System.nanoTime();
    if (closed.get()) {
      written(null); // closed while this drain was queued
      return;
    }
    try {
      if (!opened) {
        frames.open();
        opened = true;
      }
      ReplayCursor.Backlog next;
      while (!frames.full() && (next = cursor.nextBacklog()) != null) {
        if (next instanceof ReplayCursor.Backlog.Document document) {
          frames.snapshot(document.json());
        } else if (next instanceof ReplayCursor.Backlog.SnapshotEnd end) {
          frames.snapshotEnd(end.asOf());
        } else if (next instanceof ReplayCursor.Backlog.Replayed replayed) {
          writeEvent(replayed.event());
        }
      }
      Event event;
      while (cursor.backlogDone()
          && !frames.full()
          && !closed.get()
          && overflowedAtNanos == 0
          && (event = live.poll()) != null) {
        queued.decrementAndGet();
        writeEvent(event);
      }
      if (overflowedAtNanos != 0 && !closed.get()) {
        frames.overflow(cursor.lastSentId());
        endAfterFlush = true;
      } else if (heartbeatDue.get() && heartbeatDue.getAndSet(false)) {
        frames.heartbeat(clusterTime.get());
      }
    } catch (RuntimeException e) {
      written(e);
      return;
    }
    lastWriteNanos = System.nanoTime();
    linger.wrote();
    flushed = true;
    frames.flush(this::written);
  }

  /** Ends a drain: its bytes are written (or {@code failure}); the next one is scheduled if due. */
  private void written(Throwable failure) {
    if (failure != null) {
      LOG.debug("{} stream of tenant {} ended: {}", transport, tenant, failure.toString());
      close(CloseReason.ENDED);
    } else {
      metrics.eventsSent(transport, sentInDrain);
      if (flushed) {
        metrics.drained(transport);
      }
      if (endAfterFlush) {
        close(CloseReason.OVERFLOW);
      }
    }
    sentInDrain = 0;
    flushed = false;
    writingSinceNanos = 0;
    drainScheduled.set(false);
    if (!cursor.backlogDone() || !live.isEmpty() || heartbeatDue.get() || overflowedAtNanos != 0) {
      scheduleDrain();
    }
  }

  private void writeEvent(Event event) {
    ReplayCursor.Step step = cursor.next(event);
    if (step.retentionReset()) {
      frames.retentionReset(event.id());
      metrics.reset(transport, "retention");
    }
    switch (step.kind()) {
      case ROUTER_RESET -> {
        frames.routerReset(event);
        metrics.reset(transport, ControlEvents.resetReason(event));
      }
      case DATA -> {
        frames.data(event);
        sentInDrain++;
      }
      case SEEN, FILTERED -> {}
    }
  }
}
