package io.changecast.edge.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The edge's meters, exposed in Prometheus text format on {@code /metrics}. */
public final class EdgeMetrics {
  /** Content type of {@link #scrape()}: Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger openStreams = new AtomicInteger();
  private final Counter eventsSent;
  private final Counter recordsSkipped;
  private final Counter replays;
  private final Counter slowClientDisconnects;
  private final Counter eventsPublished;
  private final Counter publishFailures;

  public EdgeMetrics() {
    Gauge.builder("changecast.edge.sse.connections", openStreams, AtomicInteger::get)
        .description("Open SSE streams")
        .register(registry);
    eventsSent =
        Counter.builder("changecast.edge.sse.events.sent")
            .description("Data events written to SSE streams (replayed and live)")
            .register(registry);
    recordsSkipped =
        Counter.builder("changecast.edge.records.skipped")
            .description("Records of the events topic that are not usable envelopes")
            .register(registry);
    replays =
        Counter.builder("changecast.edge.sse.replays")
            .description("Streams opened with a resume position (Last-Event-ID or lastEventId)")
            .register(registry);
    slowClientDisconnects =
        Counter.builder("changecast.edge.sse.slow.client.disconnects")
            .description("Streams cut because their queue overflowed or a write stalled")
            .register(registry);
    eventsPublished =
        Counter.builder("changecast.edge.ingest.published")
            .description("Events accepted by the write API and acknowledged by the broker")
            .register(registry);
    publishFailures =
        Counter.builder("changecast.edge.ingest.failed")
            .description("Valid write-API events the broker refused or did not acknowledge in time")
            .register(registry);
  }

  void eventPublished() {
    eventsPublished.increment();
  }

  void publishFailed() {
    publishFailures.increment();
  }

  void replayed() {
    replays.increment();
  }

  void slowClientDisconnected() {
    slowClientDisconnects.increment();
  }

  /** Counts a reset sent to a subscriber; reasons other than the known ones count as other. */
  void reset(String reason) {
    String tag =
        switch (reason) {
          case "retention", "source-history-lost" -> reason;
          default -> "other";
        };
    Counter.builder("changecast.edge.sse.resets")
        .description("reset events sent to subscribers, by reason")
        .tag("reason", tag)
        .register(registry)
        .increment();
  }

  void streamOpened() {
    openStreams.incrementAndGet();
  }

  void streamClosed() {
    openStreams.decrementAndGet();
  }

  void eventSent() {
    eventsSent.increment();
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
