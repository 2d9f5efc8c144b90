package io.changecast.edge.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open SSE stream of one tenant. Live events are queued by the publishing thread ({@link
 * #offer}, never blocks); a single drain task at a time writes them on the writer executor, so all
 * writes to the response are serial. The first drain writes {@code retry:} and the replay, then the
 * queued live events, skipping ids already sent: the subscription is taken before the replay is
 * read, so the handover has no gap, and the skip makes it free of duplicates.
 */
final class SseSession {
  private static final Logger LOG = LoggerFactory.getLogger(SseSession.class);

  private final String tenant;
  private final Executor writer;
  private final EdgeMetrics metrics;
  private final Supplier<Optional<ClusterTime>> clusterTime;

  // TODO(slow clients): bound this queue and disconnect with a final event on overflow.
  private final Queue<Event> live = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean heartbeatDue = new AtomicBoolean();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile boolean started;

  // Touched only by the drain task (serialised through drainScheduled).
  private OutputStream out;
  private String preamble;
  private List<Event> replay;
  private long lastSentId;
  private Subscription subscription = () -> {};

  SseSession(
      String tenant,
      long lastSentId,
      Executor writer,
      EdgeMetrics metrics,
      Supplier<Optional<ClusterTime>> clusterTime) {
    this.tenant = tenant;
    this.lastSentId = lastSentId;
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
    live.add(event);
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

  /** Starts writing: {@code retry}, the replay, then live events. Once the response is async. */
  void start(OutputStream out, long retryMillis, List<Event> replay) {
    this.out = out;
    this.preamble = "retry: " + retryMillis + "\n\n";
    this.replay = replay;
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
      while (!closed.get() && (event = live.poll()) != null) {
        writeEvent(event);
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
      drainScheduled.set(false);
    }
    if (!live.isEmpty() || heartbeatDue.get()) {
      scheduleDrain();
    }
  }

  private void writeEvent(Event event) throws IOException {
    if (event.id() <= lastSentId) {
      return; // already sent by the replay, or older than the position resumed from
    }
    write("id: " + event.id() + "\ndata: " + event.json() + "\n\n");
    lastSentId = event.id();
    metrics.eventSent();
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
