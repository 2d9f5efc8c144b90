package io.changecast.edge.internal;

import io.changecast.edge.auth.Principal;
import io.javalin.http.Context;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open SSE streams: opens them on top of Javalin's async request (as Javalin's own {@code
 * SseClient.keepAlive} does, with our headers and {@code retry:} line), sends heartbeats, and
 * closes them all at shutdown so clients reconnect elsewhere.
 */
public final class SseStreams implements AutoCloseable {
  private final EventLog log;
  private final EdgeMetrics metrics;
  private final Duration heartbeatInterval;
  private final Duration retry;
  private final Set<SseSession> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService writer;
  private final ScheduledExecutorService heartbeats;

  public SseStreams(EventLog log, EdgeMetrics metrics, Duration heartbeatInterval, Duration retry) {
    this.log = log;
    this.metrics = metrics;
    this.heartbeatInterval = heartbeatInterval;
    this.retry = retry;
    int writers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    this.writer = Executors.newFixedThreadPool(writers, daemonThreads("changecast-sse-writer"));
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("changecast-sse-heartbeat"));
  }

  /**
   * Opens the stream of {@code tenant} on this request, resuming after {@code position} when
   * present (else live only). Subscribes before reading the replay; errors raised here (e.g. the
   * log is not readable) happen before any byte of the response is written.
   */
  public void open(Context ctx, String tenant, OptionalLong position) {
    SseSession session =
        new SseSession(tenant, position.orElse(-1), writer, metrics, log::latestClusterTime);
    Subscription subscription = log.subscribe(tenant, session::offer);
    List<Event> replay;
    try {
      replay = position.isPresent() ? log.readAfter(tenant, position.getAsLong()) : List.of();
    } catch (EventLogUnavailableException e) {
      subscription.close();
      throw HttpError.unavailable("not_ready", e.getMessage());
    } catch (RuntimeException e) {
      subscription.close();
      throw e;
    }
    session.subscribed(subscription);

    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setContentType("text/event-stream");
    res.setHeader("Cache-Control", "no-cache, no-transform");
    res.setHeader("X-Accel-Buffering", "no");
    ctx.future(
        () -> {
          // Javalin has started async mode by now: the response is ours until `done` completes.
          register(session);
          Principal.of(ctx).ifPresent(principal -> endAt(session, principal.validUntil()));
          ctx.req().getAsyncContext().addListener(closeOnEnd(session));
          try {
            session.start(res.getOutputStream(), retry.toMillis(), replay);
          } catch (IOException e) {
            session.close();
          }
          return session.done();
        });
  }

  private void register(SseSession session) {
    open.add(session);
    metrics.streamOpened();
    ScheduledFuture<?> heartbeat =
        heartbeats.scheduleAtFixedRate(
            session::heartbeat,
            heartbeatInterval.toMillis(),
            heartbeatInterval.toMillis(),
            TimeUnit.MILLISECONDS);
    session
        .done()
        .whenComplete(
            (ignored, error) -> {
              heartbeat.cancel(false);
              if (open.remove(session)) {
                metrics.streamClosed();
              }
            });
  }

  /** Ends the stream when the token it was opened with expires; the client reconnects. */
  private void endAt(SseSession session, Instant end) {
    long delay = Math.max(0, Duration.between(Instant.now(), end).toMillis());
    ScheduledFuture<?> expiry = heartbeats.schedule(session::close, delay, TimeUnit.MILLISECONDS);
    session.done().whenComplete((ignored, error) -> expiry.cancel(false));
  }

  /** Number of open streams. */
  public int openCount() {
    return open.size();
  }

  /** Ends every open stream; clients see the end of the response and reconnect. */
  public void closeAll() {
    List.copyOf(open).forEach(SseSession::close);
  }

  @Override
  public void close() {
    closeAll();
    heartbeats.shutdownNow();
    writer.shutdown();
    try {
      if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
        writer.shutdownNow();
      }
    } catch (InterruptedException e) {
      writer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static AsyncListener closeOnEnd(SseSession session) {
    return new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        session.close();
      }

      @Override
      public void onTimeout(AsyncEvent event) {
        session.close();
      }

      @Override
      public void onError(AsyncEvent event) {
        session.close();
      }

      @Override
      public void onStartAsync(AsyncEvent event) {}
    };
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
