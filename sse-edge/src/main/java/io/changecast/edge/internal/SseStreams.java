package io.changecast.edge.internal;

import io.changecast.edge.auth.Principal;
import io.changecast.edge.internal.filter.EventFilter;
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
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/**
 * The open SSE streams: opens them on top of Javalin's async request (as Javalin's own {@code
 * SseClient.keepAlive} does, with our headers and {@code retry:} line), sends heartbeats, and
 * closes them all at shutdown so clients reconnect elsewhere.
 */
public final class SseStreams implements AutoCloseable {
  private final EventLog log;
  private final EdgeMetrics metrics;
  private final SseOptions options;
  private final Set<SseSession> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
  private final ExecutorService writer;
  private final ScheduledExecutorService heartbeats;

  /**
   * Limits and timings of the streams.
   *
   * @param queueCapacity live events a subscriber may have queued before it is cut
   * @param writeTimeout how long one write may block before the connection is cut
   * @param maxStreamsPerTenant open streams per tenant (more: 429); 0 for no limit
   */
  public record SseOptions(
      Duration heartbeatInterval,
      Duration retry,
      int queueCapacity,
      Duration writeTimeout,
      int maxStreamsPerTenant) {}

  /** Time a stream that overflowed gets to write its final event before it is cut. */
  static final Duration OVERFLOW_GRACE = Duration.ofSeconds(1);

  private static final long WATCHDOG_PERIOD_MS = 250;

  public SseStreams(EventLog log, EdgeMetrics metrics, SseOptions options) {
    this.log = log;
    this.metrics = metrics;
    this.options = options;
    // A writer blocked on a client that stopped reading is cut after the write timeout; until
    // then it holds a thread, so keep enough of them for the other streams.
    int writers = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    this.writer = Executors.newFixedThreadPool(writers, daemonThreads("changecast-sse-writer"));
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("changecast-sse-heartbeat"));
    long writeTimeoutNanos = options.writeTimeout().toNanos();
    long graceNanos = OVERFLOW_GRACE.toNanos();
    heartbeats.scheduleWithFixedDelay(
        () -> {
          long now = System.nanoTime();
          for (SseSession session : open) {
            session.cutIfStalled(now, writeTimeoutNanos, graceNanos);
          }
        },
        WATCHDOG_PERIOD_MS,
        WATCHDOG_PERIOD_MS,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Opens the stream of {@code tenant} on this request, resuming after {@code position} when
   * present (else live only). Subscribes before reading the replay; errors raised here (e.g. the
   * log is not readable) happen before any byte of the response is written.
   */
  public void open(Context ctx, String tenant, OptionalLong position, EventFilter filter) {
    AtomicInteger tenantCount = perTenant.computeIfAbsent(tenant, t -> new AtomicInteger());
    if (tenantCount.incrementAndGet() > options.maxStreamsPerTenant()
        && options.maxStreamsPerTenant() > 0) {
      tenantCount.decrementAndGet();
      throw new HttpError(
          429,
          "too_many_streams",
          "Tenant " + tenant + " has " + options.maxStreamsPerTenant() + " open streams already");
    }
    try {
      openCounted(ctx, tenant, position, filter);
    } catch (RuntimeException e) {
      tenantCount.decrementAndGet();
      throw e;
    }
  }

  private void openCounted(Context ctx, String tenant, OptionalLong position, EventFilter filter) {
    SseSession session =
        new SseSession(
            tenant,
            position,
            filter,
            options.queueCapacity(),
            writer,
            metrics,
            log::latestClusterTime);
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
    // A stream ends only when it is cut (overflow, token expiry, shutdown): the connection goes
    // with it, or a client that stopped reading would keep it open until the idle timeout.
    res.setHeader("Connection", "close");
    if (position.isPresent()) {
      metrics.replayed();
    }
    ctx.future(
        () -> {
          // Javalin has started async mode by now: the response is ours until `done` completes.
          register(session);
          Principal.of(ctx).ifPresent(principal -> endAt(session, principal.validUntil()));
          Runnable abort = abortConnection(ctx);
          ctx.req().getAsyncContext().addListener(closeOnEnd(session));
          try {
            session.start(res.getOutputStream(), options.retry().toMillis(), replay, abort);
          } catch (IOException e) {
            session.close();
          }
          return session.done();
        });
  }

  private void register(SseSession session) {
    open.add(session);
    metrics.streamOpened();
    long heartbeatMillis = options.heartbeatInterval().toMillis();
    ScheduledFuture<?> heartbeat =
        heartbeats.scheduleAtFixedRate(
            session::heartbeat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
    session
        .done()
        .whenComplete(
            (ignored, error) -> {
              heartbeat.cancel(false);
              if (open.remove(session)) {
                metrics.streamClosed();
              }
              perTenant.computeIfPresent(
                  session.tenant(), (t, count) -> count.decrementAndGet() <= 0 ? null : count);
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

  /**
   * Closes the connection's end point, so that a write blocked on a client that stopped reading
   * fails at once instead of waiting for Jetty's idle timeout.
   */
  private static Runnable abortConnection(Context ctx) {
    ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
    if (request == null) {
      return () -> {};
    }
    EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
    return endPoint::close;
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
