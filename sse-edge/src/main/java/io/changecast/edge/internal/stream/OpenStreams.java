package io.changecast.edge.internal.stream;

import io.changecast.edge.auth.Principal;
import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.documents.DocumentState;
import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.DocumentVersions;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.EventLog;
import io.changecast.edge.internal.log.EventLogUnavailableException;
import io.changecast.edge.internal.stream.StreamSession.CloseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * Every open stream of the edge, SSE and WebSocket alike: admits new ones under the per-tenant and
 * per-token caps, subscribes them and reads their replay (one implementation for both transports),
 * sends heartbeats, cuts stalled writers, ends streams at token expiry, and closes them all at
 * shutdown so clients reconnect elsewhere. The transports ({@code EventsHandler}, {@code
 * WsHandler}) only encode frames and own their connection.
 */
public final class OpenStreams implements AutoCloseable {
  private final EventLog log;
  private final EdgeMetrics metrics;
  private final StreamOptions options;
  private final Set<StreamSession> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> perToken = new ConcurrentHashMap<>();
  private final ExecutorService writer;
  private final ScheduledExecutorService heartbeats;
  private final Linger linger;
  private final DocumentVersions versions;

  /** Documents read at a time when a stream opens with a snapshot. */
  static final int SNAPSHOT_READ_PAGE = 1000;

  /**
   * Limits and timings of the streams.
   *
   * @param queueCapacity live events a subscriber may have queued before it is cut
   * @param writeTimeout how long one write may stay pending before the connection is cut
   * @param maxStreamsPerTenant open streams per tenant (more: 429); 0 for no limit
   * @param maxStreamsPerToken open streams per token (more: 429); 0 for no limit; not applied
   *     without authentication
   * @param linger while the edge is busy, how long a stream written recently waits to write again
   *     (see {@link Linger}); zero for never
   */
  public record StreamOptions(
      Duration heartbeatInterval,
      Duration retry,
      int queueCapacity,
      Duration writeTimeout,
      int maxStreamsPerTenant,
      int maxStreamsPerToken,
      Duration linger) {}

  /**
   * A stream admitted, subscribed and with its replay read, waiting for its transport to be ready.
   * If {@link #start} is never called the watchdog closes it after the write timeout.
   */
  public record Pending(StreamSession session, ReplayCursor.Snapshot snapshot, List<Event> replay) {
    /** Starts writing through {@code frames}; {@code abort} hard-closes the connection. */
    public void start(Frames frames, Runnable abort) {
      session.start(frames, snapshot, replay, abort);
    }
  }

  /** Time a stream that overflowed gets to write its final event before it is cut. */
  static final Duration OVERFLOW_GRACE = Duration.ofSeconds(1);

  private static final long WATCHDOG_PERIOD_MS = 250;

  public OpenStreams(EventLog log, EdgeMetrics metrics, StreamOptions options) {
    this.log = log;
    this.versions = new DocumentVersions(log);
    this.metrics = metrics;
    this.options = options;
    // Drains never block (a write the connection cannot take stays pending and ends the drain
    // when it completes), so a thread per core drains every stream.
    int writers = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.writer = Executors.newFixedThreadPool(writers, daemonThreads("changecast-stream-writer"));
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("changecast-stream-heartbeat"));
    this.linger = new Linger(options.linger());
    if (!options.linger().isZero()) {
      long tickNanos = options.linger().toNanos();
      heartbeats.scheduleAtFixedRate(linger::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
    }
    long writeTimeoutNanos = options.writeTimeout().toNanos();
    long graceNanos = OVERFLOW_GRACE.toNanos();
    heartbeats.scheduleWithFixedDelay(
        () -> {
          long now = System.nanoTime();
          for (StreamSession session : open) {
            session.cutIfStalled(now, writeTimeoutNanos, graceNanos);
          }
        },
        WATCHDOG_PERIOD_MS,
        WATCHDOG_PERIOD_MS,
        TimeUnit.MILLISECONDS);
  }

  public StreamOptions options() {
    return options;
  }

  /**
   * Admits a stream of {@code tenant} (429 {@code too_many_streams} over a cap), subscribes it,
   * then reads the replay after {@code position} when present (else live only): subscribing first
   * makes the handover gap-free. Errors raised here (e.g. the log is not readable: 503) happen
   * before anything is written to the client. The stream ends at the principal's {@code
   * validUntil}.
   */
  public Pending open(
      String tenant,
      Optional<Principal> principal,
      OptionalLong position,
      EventFilter filter,
      Transport transport) {
    return open(tenant, principal, position, filter, transport, Optional.empty());
  }

  /**
   * As {@link #open(String, Optional, OptionalLong, EventFilter, Transport)}; with {@code snapshot}
   * and no {@code position}, the stream first sends the selected documents as of the tenant's last
   * applied id N (read after subscribing, so every later event reaches the session), then {@code
   * snapshot-end} with id N, then the events after N. With a position, the snapshot is not sent (a
   * reconnect resumes after it).
   */
  public Pending open(
      String tenant,
      Optional<Principal> principal,
      OptionalLong position,
      EventFilter filter,
      Transport transport,
      Optional<SnapshotSelection> snapshot) {
    Runnable releaseTenant =
        reserve(
            perTenant,
            tenant,
            options.maxStreamsPerTenant(),
            transport,
            "tenant",
            "Tenant " + tenant + " has " + options.maxStreamsPerTenant() + " open streams already");
    Runnable releaseToken = () -> {};
    if (principal.isPresent()) {
      try {
        releaseToken =
            reserve(
                perToken,
                principal.get().tokenKey(),
                options.maxStreamsPerToken(),
                transport,
                "token",
                "This token has " + options.maxStreamsPerToken() + " open streams already");
      } catch (RuntimeException e) {
        releaseTenant.run();
        throw e;
      }
    }
    StreamSession session =
        new StreamSession(
            tenant,
            transport,
            position,
            filter,
            options.queueCapacity(),
            writer,
            linger,
            metrics,
            log::latestClusterTime,
            versions);
    register(session, releaseTenant, releaseToken);
    principal.ifPresent(p -> endAt(session, p.validUntil()));
    List<Event> replay;
    ReplayCursor.Snapshot documents = null;
    try {
      session.subscribed(log.subscribe(tenant, session::offer));
      if (snapshot.isPresent() && position.isEmpty()) {
        documents = snapshot(tenant, snapshot.get());
        replay = log.readAfter(tenant, documents.asOf());
      } else {
        replay = position.isPresent() ? log.readAfter(tenant, position.getAsLong()) : List.of();
      }
    } catch (EventLogUnavailableException e) {
      session.close(CloseReason.NOT_STARTED);
      throw HttpError.unavailable("not_ready", e.getMessage());
    } catch (RuntimeException e) {
      session.close(CloseReason.NOT_STARTED);
      throw e;
    }
    if (position.isPresent()) {
      metrics.replayed(transport);
    }
    return new Pending(session, documents, replay);
  }

  /** Every selected document as of the tenant's last applied id, read page by page. */
  private ReplayCursor.Snapshot snapshot(String tenant, SnapshotSelection selection) {
    Documents documents =
        log.documents()
            .orElseThrow(
                () ->
                    new HttpError(
                        501, "snapshots_disabled", "The document state is off on this edge"));
    List<String> entries = new ArrayList<>();
    OptionalLong asOf = OptionalLong.empty();
    String after = null;
    long started = System.nanoTime();
    while (true) {
      DocumentState.PageResult result =
          documents.page(tenant, asOf, after, SNAPSHOT_READ_PAGE, selection);
      if (!(result instanceof DocumentState.Page page)) {
        // the versions as of the pinned id went while reading: only under extreme write rates
        throw HttpError.unavailable("snapshot_failed", "The snapshot could not be read: " + result);
      }
      entries.addAll(page.entries());
      asOf = OptionalLong.of(page.asOf());
      if (!page.more()) {
        metrics.snapshotServed("stream", System.nanoTime() - started);
        return new ReplayCursor.Snapshot(page.asOf(), entries);
      }
      after = page.lastKey();
    }
  }

  /** Takes one place under {@code cap} for {@code key}; returns its release (idempotent). */
  private Runnable reserve(
      ConcurrentHashMap<String, AtomicInteger> counts,
      String key,
      int cap,
      Transport transport,
      String capName,
      String detail) {
    AtomicInteger count = counts.computeIfAbsent(key, k -> new AtomicInteger());
    if (count.incrementAndGet() > cap && cap > 0) {
      release(counts, key);
      metrics.streamRefused(transport, capName);
      throw new HttpError(429, "too_many_streams", detail);
    }
    AtomicInteger once = new AtomicInteger();
    return () -> {
      if (once.getAndIncrement() == 0) {
        release(counts, key);
      }
    };
  }

  private static void release(ConcurrentHashMap<String, AtomicInteger> counts, String key) {
    counts.computeIfPresent(key, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  private void register(StreamSession session, Runnable releaseTenant, Runnable releaseToken) {
    open.add(session);
    metrics.streamOpened(session.transport());
    long heartbeatMillis = options.heartbeatInterval().toMillis();
    ScheduledFuture<?> heartbeat =
        heartbeats.scheduleAtFixedRate(
            session::heartbeat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
    session
        .done()
        .whenComplete(
            (reason, error) -> {
              heartbeat.cancel(false);
              if (open.remove(session)) {
                metrics.streamClosed(session.transport());
              }
              releaseTenant.run();
              releaseToken.run();
            });
  }

  /** Ends the stream when the token it was opened with expires; the client reconnects. */
  private void endAt(StreamSession session, Instant end) {
    long delay = Math.max(0, Duration.between(Instant.now(), end).toMillis());
    ScheduledFuture<?> expiry =
        heartbeats.schedule(
            () -> session.close(CloseReason.TOKEN_EXPIRED), delay, TimeUnit.MILLISECONDS);
    session.done().whenComplete((reason, error) -> expiry.cancel(false));
  }

  /** Number of open streams, both transports. */
  public int openCount() {
    return open.size();
  }

  /** Ends every open stream; clients see the end of the stream and reconnect. */
  public void closeAll() {
    List.copyOf(open).forEach(session -> session.close(CloseReason.SHUTDOWN));
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

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
