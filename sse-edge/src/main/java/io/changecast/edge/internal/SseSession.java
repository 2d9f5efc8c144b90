package io.changecast.edge.internal;

import io.changecast.edge.internal.filter.EventFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open SSE stream of one tenant. Live events are queued by the publishing thread ({@link
 * #offer}, never blocks) in a queue bounded by the capacity; a single drain task at a time writes
 * them on the writer executor, so all writes to the response are serial. The first drain writes
 * {@code retry:} and the replay, then the queued live events, skipping ids already seen: the
 * subscription is taken before the replay is read, so the handover has no gap, and the skip makes
 * it free of duplicates.
 *
 * <p>Every event passes through the session in id order, filtered or not, so it knows the last id
 * seen: a jump in ids after a resume position means events were dropped by retention, announced as
 * a named {@code reset} event before the next one. Router reset envelopes ({@code
 * changecast.reset}) are named {@code reset} events too and bypass filters. When the queue
 * overflows, the session writes a final named {@code overflow} event and closes; a write that
 * stalls is cut from outside by {@link SseStreams}' watchdog through {@link #abort}.
 */
final class SseSession {
  private static final Logger LOG = LoggerFactory.getLogger(SseSession.class);

  private final String tenant;
  private final Executor writer;
  private final EdgeMetrics metrics;
  private final Supplier<Optional<ClusterTime>> clusterTime;
  private final EventFilter filter;
  private final int capacity;

  private final Queue<Event> live = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean heartbeatDue = new AtomicBoolean();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile boolean started;
  private volatile long overflowedAtNanos; // 0: no overflow
  private volatile long writingSinceNanos; // 0: not inside a drain
  private volatile Runnable abort = () -> {};

  // Touched only by the drain task (serialised through drainScheduled).
  private OutputStream out;
  private String preamble;
  private List<Event> replay;
  private long lastSeenId; // every event, filtered out or not
  private long lastSentId = -1; // the last `id:` written
  private boolean detectGaps;
  private Subscription subscription = () -> {};

  /**
   * @param position the id the client resumes after, if any: ids above it are sent, and a jump past
   *     {@code position + 1} is announced as a retention reset
   */
  SseSession(
      String tenant,
      OptionalLong position,
      EventFilter filter,
      int capacity,
      Executor writer,
      EdgeMetrics metrics,
      Supplier<Optional<ClusterTime>> clusterTime) {
    this.tenant = tenant;
    this.lastSeenId = position.orElse(-1);
    this.detectGaps = position.isPresent();
    this.filter = filter;
    this.capacity = capacity;
    this.writer = writer;
    this.metrics = metrics;
    this.clusterTime = clusterTime;
  }

  String tenant() {
    return tenant;
  }

  /** Completes when the stream is closed; Javalin then ends the response. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Queues a live event (called by the event log's publishing thread; never blocks). */
  void offer(Event event) {
    if (closed.get() || overflowedAtNanos != 0) {
      return;
    }
    if (queued.incrementAndGet() > capacity) {
      overflowedAtNanos = System.nanoTime();
      metrics.slowClientDisconnected();
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

  void subscribed(Subscription subscription) {
    this.subscription = subscription;
  }

  /**
   * Starts writing: {@code retry}, the replay, then live events. Once the response is async.
   *
   * @param abort closes the connection under a blocked write (the write then fails)
   */
  void start(OutputStream out, long retryMillis, List<Event> replay, Runnable abort) {
    this.out = out;
    this.preamble = "retry: " + retryMillis + "\n\n";
    this.replay = replay;
    this.abort = abort;
    started = true;
    scheduleDrain();
  }

  /** Ends the stream (idempotent): unsubscribes and lets the response complete. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      subscription.close();
      live.clear();
      done.complete(null);
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /**
   * Called periodically by the watchdog: cuts the connection when a drain has been writing for
   * longer than {@code writeTimeoutNanos} (the client stopped reading), or when the queue
   * overflowed more than {@code overflowGraceNanos} ago and the final event could not be written.
   * Returns whether it cut.
   */
  boolean cutIfStalled(long nowNanos, long writeTimeoutNanos, long overflowGraceNanos) {
    if (closed.get()) {
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
        "Cutting the SSE stream of tenant {}: {}",
        tenant,
        stalled ? "a write is blocked (the client does not read)" : "its queue overflowed");
    if (stalled && overflowedAt == 0) {
      metrics.slowClientDisconnected();
    }
    try {
      abort.run();
    } catch (RuntimeException e) {
      LOG.debug("Aborting the connection failed", e);
    }
    close();
    return true;
  }

  private void scheduleDrain() {
    if (started && !closed.get() && drainScheduled.compareAndSet(false, true)) {
      try {
        writer.execute(this::drain);
      } catch (RejectedExecutionException shuttingDown) {
        drainScheduled.set(false);
        close();
      }
    }
  }

  private void drain() {
    writingSinceNanos = System.nanoTime();
    try {
      if (preamble != null) {
        write(preamble);
        preamble = null;
        for (Event event : replay) {
          writeEvent(event);
        }
        replay = null;
      }
      Event event;
      while (!closed.get() && overflowedAtNanos == 0 && (event = live.poll()) != null) {
        queued.decrementAndGet();
        writeEvent(event);
      }
      if (overflowedAtNanos != 0 && !closed.get()) {
        write(
            "event: overflow\ndata: {\"reason\":\"slow-client\",\"lastEventId\":"
                + (lastSentId < 0 ? "null" : "\"" + lastSentId + "\"")
                + "}\n\n");
        out.flush();
        close();
        return;
      }
      if (heartbeatDue.getAndSet(false)) {
        write(
            clusterTime
                .get()
                .map(time -> ": heartbeat clusterTime=" + time + "\n")
                .orElse(": heartbeat\n"));
      }
      out.flush();
    } catch (IOException | RuntimeException e) {
      LOG.debug("SSE stream of tenant {} ended: {}", tenant, e.toString());
      close();
    } finally {
      writingSinceNanos = 0;
      drainScheduled.set(false);
    }
    if (!live.isEmpty() || heartbeatDue.get() || overflowedAtNanos != 0) {
      scheduleDrain();
    }
  }

  private void writeEvent(Event event) throws IOException {
    if (event.id() <= lastSeenId) {
      return; // already sent by the replay, or older than the position resumed from
    }
    if (detectGaps && event.id() > lastSeenId + 1) {
      write(
          "event: reset\ndata: {\"reason\":\"retention\",\"oldestRetainedId\":\""
              + event.id()
              + "\"}\n\n");
      metrics.reset("retention");
    }
    detectGaps = true;
    lastSeenId = event.id();
    if (ControlEvents.isReset(event)) {
      write("event: reset\nid: " + event.id() + "\ndata: " + event.json() + "\n\n");
      lastSentId = event.id();
      metrics.reset(ControlEvents.resetReason(event));
    } else if (filter.matches(event.json())) {
      write("id: " + event.id() + "\ndata: " + event.json() + "\n\n");
      lastSentId = event.id();
      metrics.eventSent();
    }
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
