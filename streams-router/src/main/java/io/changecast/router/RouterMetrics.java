package io.changecast.router;

import io.changecast.contract.ControlTypes;
import io.changecast.router.internal.parse.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/** The router's own meters (Kafka Streams' client metrics are bound separately). */
public final class RouterMetrics {

  /** Counter of records sent to the dead-letter topic, tagged {@code reason}. */
  public static final String INVALID = "changecast.router.records.invalid";

  /** Counter of envelopes written to the events topic, tagged {@code operation}. */
  public static final String ROUTED = "changecast.router.records.routed";

  /** Counter of connector duplicates dropped before ids are assigned, tagged {@code topic}. */
  public static final String DUPLICATES = "changecast.router.duplicates.dropped";

  /** Counter of raw records read, tagged {@code topic}. */
  public static final String IN = "changecast.router.records.in";

  /** Counter of heartbeat control records. */
  public static final String HEARTBEATS = "changecast.router.heartbeats";

  /**
   * Gauge: the latest source cluster time seen, epoch seconds: the largest of the heartbeats' and
   * the routed change events' cluster times.
   */
  public static final String SOURCE_TIME = "changecast.router.source.cluster.time";

  /** Counter of records written, tagged {@code topic} (events, type topics, dead letters). */
  public static final String OUT = "changecast.router.records.out";

  /** Timer: source time (wallTime, else clusterTime) to routedAt. */
  public static final String LATENCY = "changecast.router.latency";

  /**
   * Time gauge per tenant, tagged {@code tenant}: source time (wallTime, else clusterTime) to
   * routedAt of the tenant's latest event routed by this instance.
   */
  public static final String TENANT_LAG = "changecast.router.tenant.lag";

  /**
   * Counter of events whose tenant has no {@link #TENANT_LAG} series because the series limit was
   * reached.
   */
  public static final String TENANT_LAG_OVERFLOW = "changecast.router.tenant.lag.overflow";

  /**
   * Counter of reset envelopes emitted, tagged {@code reason} (e.g. {@code source-history-lost});
   * the history-lost series exists from the start, at 0.
   */
  public static final String RESETS = "changecast.router.resets";

  /** Gauge: 1 while this instance's Kafka Streams is {@code RUNNING}, else 0. */
  public static final String RUNNING = "changecast.router.running";

  /** Default bound on the number of {@link #TENANT_LAG} series. */
  public static final int DEFAULT_MAX_LAG_TENANTS = 1000;

  private final MeterRegistry registry;
  private final int maxLagTenants;
  private final Map<String, AtomicLong> tenantLag = new ConcurrentHashMap<>();
  private final Counter tenantLagOverflow;
  private final Map<String, Counter> out = new ConcurrentHashMap<>();
  private final io.micrometer.core.instrument.Timer latency;
  private final Map<String, Counter> in = new ConcurrentHashMap<>();
  private final Counter heartbeats;
  private final java.util.concurrent.atomic.AtomicLong sourceTime;
  private final Map<String, Counter> duplicates = new ConcurrentHashMap<>();
  private final Map<String, Counter> invalid = new ConcurrentHashMap<>();
  private final Map<String, Counter> routed = new ConcurrentHashMap<>();
  private final Map<String, Counter> resets = new ConcurrentHashMap<>();

  /** Meters in {@code registry}, at most {@value #DEFAULT_MAX_LAG_TENANTS} tenant lag series. */
  public RouterMetrics(MeterRegistry registry) {
    this(registry, DEFAULT_MAX_LAG_TENANTS);
  }

  /**
   * Meters in {@code registry}; {@link #TENANT_LAG} is kept for the first {@code maxLagTenants}
   * tenants seen, later ones only count in {@link #TENANT_LAG_OVERFLOW}.
   */
  public RouterMetrics(MeterRegistry registry, int maxLagTenants) {
    this.registry = Objects.requireNonNull(registry, "registry");
    if (maxLagTenants < 0) {
      throw new IllegalArgumentException("maxLagTenants must be >= 0: " + maxLagTenants);
    }
    this.maxLagTenants = maxLagTenants;
    this.tenantLagOverflow =
        Counter.builder(TENANT_LAG_OVERFLOW)
            .description("Events of tenants beyond the per-tenant lag series limit")
            .register(registry);
    this.heartbeats =
        Counter.builder(HEARTBEATS).description("Heartbeat control records").register(registry);
    this.latency =
        io.micrometer.core.instrument.Timer.builder(LATENCY)
            .description("Source time (wallTime, else clusterTime) to routedAt")
            .publishPercentileHistogram()
            .register(registry);
    this.sourceTime = registry.gauge(SOURCE_TIME, new java.util.concurrent.atomic.AtomicLong());
    // Alert rules watch increases, and a series first seen at 1 shows none: these start at 0.
    for (Reason reason : Reason.values()) {
      invalidCounter(reason.code());
    }
    resetCounter(ControlTypes.SOURCE_HISTORY_LOST);
  }

  /** Publishes {@link #RUNNING} from {@code state} (read at each scrape). */
  public void bindState(Supplier<KafkaStreams.State> state) {
    Gauge.builder(RUNNING, state, s -> s.get() == KafkaStreams.State.RUNNING ? 1 : 0)
        .description("1 while Kafka Streams is RUNNING, else 0")
        .strongReference(true)
        .register(registry);
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
    invalidCounter(reason).increment();
  }

  private Counter invalidCounter(String reason) {
    return invalid.computeIfAbsent(
        reason,
        r ->
            Counter.builder(INVALID)
                .description("Records sent to the dead-letter topic")
                .tag("reason", r)
                .register(registry));
  }

  /** Counts one reset envelope emitted for {@code reason} (a short, bounded code). */
  public void reset(String reason) {
    resetCounter(reason).increment();
  }

  private Counter resetCounter(String reason) {
    return resets.computeIfAbsent(
        reason,
        r ->
            Counter.builder(RESETS)
                .description("Reset envelopes emitted, by reason")
                .tag("reason", r)
                .register(registry));
  }

  /** Counts one routed envelope. */
  public void routed(String operation) {
    routed
        .computeIfAbsent(
            operation,
            o ->
                Counter.builder(ROUTED)
                    .description("Envelopes written to the events topic")
                    .tag("operation", o)
                    .register(registry))
        .increment();
  }

  /** Counts one duplicate dropped from source {@code topic}. */
  public void duplicate(String topic) {
    duplicates
        .computeIfAbsent(
            topic,
            t ->
                Counter.builder(DUPLICATES)
                    .description("Connector duplicates dropped before ids are assigned")
                    .tag("topic", t)
                    .register(registry))
        .increment();
  }

  /** Counts one raw record read from {@code topic}. */
  public void in(String topic) {
    in.computeIfAbsent(
            topic,
            t ->
                Counter.builder(IN)
                    .description("Records read, per source topic")
                    .tag("topic", t)
                    .register(registry))
        .increment();
  }

  /** Records a source heartbeat: the source was alive up to {@code clusterTime}. */
  public void heartbeat(io.changecast.router.Envelope.ClusterTime clusterTime) {
    heartbeats.increment();
    if (clusterTime != null) {
      sourceTime.accumulateAndGet(clusterTime.t(), Math::max);
    }
  }

  /** Counts one record written to {@code topic}. */
  public void out(String topic) {
    out.computeIfAbsent(
            topic,
            t ->
                Counter.builder(OUT)
                    .description("Records written, per topic")
                    .tag("topic", t)
                    .register(registry))
        .increment();
  }

  /** Records the latency of an envelope from its source time to {@code routedAt}. */
  public void latency(Envelope envelope) {
    if (envelope.clusterTime() != null) {
      sourceTime.accumulateAndGet(envelope.clusterTime().t(), Math::max);
    }
    Long source =
        envelope.wallTime() != null
            ? envelope.wallTime()
            : envelope.clusterTime() != null ? envelope.clusterTime().t() * 1000 : null;
    if (source != null && envelope.routedAt() >= source) {
      long millis = envelope.routedAt() - source;
      latency.record(millis, TimeUnit.MILLISECONDS);
      tenantLag(envelope.tenant(), millis);
    }
  }

  private void tenantLag(String tenant, long millis) {
    if (tenant == null) {
      return;
    }
    AtomicLong lag = tenantLag.get(tenant);
    if (lag == null) {
      synchronized (tenantLag) { // several stream threads; keep the bound exact
        lag = tenantLag.get(tenant);
        if (lag == null) {
          if (tenantLag.size() >= maxLagTenants) {
            tenantLagOverflow.increment();
            return;
          }
          lag = new AtomicLong(millis);
          TimeGauge.builder(TENANT_LAG, lag, TimeUnit.MILLISECONDS, AtomicLong::doubleValue)
              .description("Source time to routedAt of the tenant's latest event")
              .tag("tenant", tenant)
              .register(registry);
          tenantLag.put(tenant, lag);
        }
      }
    }
    lag.set(millis);
  }
}
