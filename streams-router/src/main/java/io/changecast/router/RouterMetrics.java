package io.changecast.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;

/** The router's own meters (Kafka Streams' client metrics are bound separately). */
public final class RouterMetrics {

  /** Counter of records sent to the dead-letter topic, tagged {@code reason}. */
  public static final String INVALID = "changecast.router.records.invalid";

  /** Counter of envelopes written to the events topic, tagged {@code operation}. */
  public static final String ROUTED = "changecast.router.records.routed";

  private final MeterRegistry registry;

  public RouterMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Metrics kept in memory only (tests, or when nothing scrapes them). */
  public static RouterMetrics inMemory() {
    return new RouterMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Counts one record rejected for {@code reason} (a short, bounded code). */
  public void invalid(String reason) {
    Counter.builder(INVALID)
        .description("Records sent to the dead-letter topic")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** Counts one routed envelope. */
  public void routed(String operation) {
    Counter.builder(ROUTED)
        .description("Envelopes written to the events topic")
        .tag("operation", operation)
        .register(registry)
        .increment();
  }
}
