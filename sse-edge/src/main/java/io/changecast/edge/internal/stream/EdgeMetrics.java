package io.changecast.edge.internal.stream;

import io.changecast.contract.ControlTypes;
import io.changecast.edge.internal.log.EventLogTopology;
import io.changecast.edge.internal.log.Readiness;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * The edge's meters, exposed in Prometheus text format on {@code /metrics}. Stream meters carry a
 * {@code transport} label ({@code sse} or {@code ws}); their {@code sse} name prefix predates the
 * WebSocket transport and is kept so dashboards keep working.
 */
public final class EdgeMetrics {
  /** Content type of {@link #scrape()}: Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String TRANSPORT = "transport";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<Transport, AtomicInteger> openStreams = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> eventsSent = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> drains = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> replays = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> slowClientDisconnects = new EnumMap<>(Transport.class);
  private final Counter recordsSkipped;
  private final Counter recordsRead;
  private final Counter eventsPublished;
  private final Counter publishFailures;
  private final Timer inputAge;

  public EdgeMetrics() {
    // the JVM's memory, threads, classes and CPU (jvm_*, process_*, system_*), as dashboards expect
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    for (Transport transport : Transport.values()) {
      AtomicInteger open = new AtomicInteger();
      openStreams.put(transport, open);
      Gauge.builder("changecast.edge.sse.connections", open, AtomicInteger::get)
          .description("Open streams (SSE and WebSocket, by transport)")
          .tag(TRANSPORT, transport.label())
          .register(registry);
      eventsSent.put(
          transport,
          Counter.builder("changecast.edge.sse.events.sent")
              .description(
                  "Data events written to streams (replayed and live), counted when a drain's"
                      + " write completes")
              .tag(TRANSPORT, transport.label())
              .register(registry));
      drains.put(
          transport,
          Counter.builder("changecast.edge.sse.drains")
              .description(
                  "Drains of a stream done: each gathers everything due to the stream and hands it"
                      + " to the connection in at most one write; events sent per drain is the"
                      + " write coalescing")
              .tag(TRANSPORT, transport.label())
              .register(registry));
      replays.put(
          transport,
          Counter.builder("changecast.edge.sse.replays")
              .description("Streams opened with a resume position (Last-Event-ID or lastEventId)")
              .tag(TRANSPORT, transport.label())
              .register(registry));
      slowClientDisconnects.put(
          transport,
          Counter.builder("changecast.edge.sse.slow.client.disconnects")
              .description("Streams cut because their queue overflowed or a write stalled")
              .tag(TRANSPORT, transport.label())
              .register(registry));
    }
    recordsSkipped =
        Counter.builder("changecast.edge.records.skipped")
            .description("Records of the events topic that are not usable envelopes")
            .register(registry);
    recordsRead =
        Counter.builder("changecast.edge.records.read")
            .description(
                "Records of the events topic handled since start, restore included (a restart on"
                    + " a persistent store reads only those after its checkpoint)")
            .register(registry);
    eventsPublished =
        Counter.builder("changecast.edge.ingest.published")
            .description("Events accepted by the write API and acknowledged by the broker")
            .register(registry);
    publishFailures =
        Counter.builder("changecast.edge.ingest.failed")
            .description("Valid write-API events the broker refused or did not acknowledge in time")
            .register(registry);
    inputAge =
        Timer.builder("changecast.edge.input.age")
            .description(
                "How old each live event is when the edge hands it to its streams: now minus the"
                    + " envelope's routedAt (the router's clock); the edge's input lag")
            .serviceLevelObjectives(
                LongStream.of(5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000)
                    .mapToObj(Duration::ofMillis)
                    .toArray(Duration[]::new))
            .register(registry);
  }

  /** The number of documents held by the document state, as a gauge. */
  public void documentsHeld(LongSupplier held) {
    Gauge.builder("changecast.edge.documents", held, h -> (double) h.getAsLong())
        .description("Documents held by the document state (all tenants)")
        .strongReference(true) // held is a method reference nothing else keeps: weak, it reads NaN
        .register(registry);
  }

  /** Counts every record of the events topic the edge's processor handles, restore included. */
  public void recordRead() {
    recordsRead.increment();
  }

  /** Records the events topic's records handled since start (restore included). */
  public long recordsRead() {
    return (long) recordsRead.count();
  }

  /**
   * Counts a snapshot served ({@code page} of the snapshot API, or {@code stream}), with its time.
   */
  public void snapshotServed(String kind, long nanos) {
    Timer.builder("changecast.edge.snapshot.latency")
        .description("Time to read and write a snapshot page, or to read a stream's whole snapshot")
        .tag("kind", kind)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts a snapshot page refused ({@code expired} cursor, or this edge is {@code behind}). */
  public void snapshotRefused(String reason) {
    Counter.builder("changecast.edge.snapshot.refused")
        .description("Snapshot pages refused: expired cursor (410) or an edge behind the cursor")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /**
   * Publishes {@code changecast_edge_ready}: 1 while {@code readiness} (what {@code /health/ready}
   * answers) is ready, else 0; read at each scrape.
   */
  public void bindReadiness(Supplier<Readiness> readiness) {
    Gauge.builder(
            "changecast.edge.ready", readiness, r -> r.get() instanceof Readiness.Ready ? 1 : 0)
        .description("1 while /health/ready answers 200, else 0")
        .strongReference(true)
        .register(registry);
  }

  /** Records the input age of one live event; handed to {@link EventLogTopology#build}. */
  public void inputAge(long millis) {
    inputAge.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  public void eventPublished() {
    eventsPublished.increment();
  }

  public void publishFailed() {
    publishFailures.increment();
  }

  void replayed(Transport transport) {
    replays.get(transport).increment();
  }

  void slowClientDisconnected(Transport transport) {
    slowClientDisconnects.get(transport).increment();
  }

  /** Counts a stream refused by a cap ({@code tenant} or {@code token}). */
  void streamRefused(Transport transport, String cap) {
    Counter.builder("changecast.edge.sse.refused")
        .description("Streams refused with 429 because a per-tenant or per-token cap was reached")
        .tag(TRANSPORT, transport.label())
        .tag("cap", cap)
        .register(registry)
        .increment();
  }

  /** Counts a reset sent to a subscriber; reasons other than the known ones count as other. */
  void reset(Transport transport, String reason) {
    String tag =
        switch (reason) {
          case "retention", ControlTypes.SOURCE_HISTORY_LOST -> reason;
          default -> "other";
        };
    Counter.builder("changecast.edge.sse.resets")
        .description("reset events sent to subscribers, by reason")
        .tag(TRANSPORT, transport.label())
        .tag("reason", tag)
        .register(registry)
        .increment();
  }

  void streamOpened(Transport transport) {
    openStreams.get(transport).incrementAndGet();
  }

  void streamClosed(Transport transport) {
    openStreams.get(transport).decrementAndGet();
  }

  /** Counts {@code count} events written at once (one drain of a stream). */
  void eventsSent(Transport transport, int count) {
    if (count > 0) {
      eventsSent.get(transport).increment(count);
    }
  }

  /** Counts one drain of a stream done (its write, if any, completed). */
  void drained(Transport transport) {
    drains.get(transport).increment();
  }

  /** Counts a skipped input record; handed to {@link EventLogTopology#build}. */
  public void recordSkipped() {
    recordsSkipped.increment();
  }

  /** The registry, for binding further meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** All meters in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }
}
