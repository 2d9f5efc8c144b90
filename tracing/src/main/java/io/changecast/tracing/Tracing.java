package io.changecast.tracing;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracing rule the connector, the router and the edge share: one W3C trace per change event,
 * its {@value #TRACEPARENT} carried in Kafka headers (and the envelope field of the same name).
 *
 * <p>Which {@link OpenTelemetry} an app uses, the OpenTelemetry way and off by default:
 *
 * <ol>
 *   <li>the global one when something set it (the OpenTelemetry Java agent, an embedding app, a
 *       test);
 *   <li>else, when {@code OTEL_TRACES_EXPORTER} (or {@code -Dotel.traces.exporter}) names an
 *       exporter other than {@code none}, an SDK built by OpenTelemetry's autoconfiguration from
 *       the {@code OTEL_*} environment, e.g. {@code OTEL_TRACES_EXPORTER=otlp} and {@code
 *       OTEL_EXPORTER_OTLP_ENDPOINT}; its {@code service.name} defaults to the app's, the OTLP
 *       protocol to {@code http/protobuf} (the JDK sender; gRPC needs another sender), metrics and
 *       logs exporters to {@code none};
 *   <li>else the no-op: no spans, no new trace ids, an incoming {@code traceparent} passed on as
 *       is.
 * </ol>
 */
public final class Tracing {

  /** The W3C header (Kafka header) and envelope field carrying an event's trace context. */
  public static final String TRACEPARENT = "traceparent";

  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final Map<String, OpenTelemetry> SDKS = new ConcurrentHashMap<>();

  private Tracing() {}

  /** The {@link OpenTelemetry} for the app {@code serviceName} (see the class comment). */
  public static OpenTelemetry openTelemetry(String serviceName) {
    if (GlobalOpenTelemetry.isSet()) {
      return GlobalOpenTelemetry.get();
    }
    if (!exporterConfigured()) {
      return OpenTelemetry.noop();
    }
    return SDKS.computeIfAbsent(serviceName, Tracing::autoconfigured);
  }

  private static boolean exporterConfigured() {
    String exporter = System.getProperty("otel.traces.exporter");
    if (exporter == null) {
      exporter = System.getenv("OTEL_TRACES_EXPORTER");
    }
    return exporter != null && !exporter.isBlank() && !"none".equals(exporter.trim());
  }

  /**
   * The SDK as the {@code OTEL_*} settings say; the no-op, with a warning, when they cannot be
   * applied (tracing never stops the pipeline).
   */
  private static OpenTelemetry autoconfigured(String serviceName) {
    try {
      return AutoConfiguredOpenTelemetrySdk.builder()
          // defaults only: OTEL_* variables and otel.* system properties override them
          .addPropertiesSupplier(
              () ->
                  Map.of(
                      "otel.service.name", serviceName,
                      "otel.exporter.otlp.protocol", "http/protobuf",
                      "otel.metrics.exporter", "none",
                      "otel.logs.exporter", "none"))
          .setServiceClassLoader(Tracing.class.getClassLoader())
          .build()
          .getOpenTelemetrySdk();
    } catch (RuntimeException | LinkageError e) {
      LOG.warn(
          "Tracing is off for {}: the OpenTelemetry settings (OTEL_*) cannot be applied: {}",
          serviceName,
          e.toString());
      return OpenTelemetry.noop();
    }
  }

  /** The trace context in {@code headers}' {@value #TRACEPARENT}, on top of the root context. */
  public static Context extract(org.apache.kafka.common.header.Headers headers) {
    return W3C.extract(Context.root(), headers, KafkaHeaders.INSTANCE);
  }

  /**
   * Replaces {@code headers}' {@value #TRACEPARENT} with {@code span}'s context; leaves them as
   * they are when the span has no valid context (tracing off and no incoming trace).
   */
  public static void inject(Span span, org.apache.kafka.common.header.Headers headers) {
    W3C.inject(Context.root().with(span), headers, KafkaHeaders.INSTANCE);
  }

  /** {@code span}'s context as a {@value #TRACEPARENT} value, or null when it has none. */
  public static String traceparent(Span span) {
    SpanContext context = span.getSpanContext();
    if (!context.isValid()) {
      return null;
    }
    String[] value = new String[1];
    W3C.inject(
        Context.root().with(span),
        value,
        (carrier, key, v) -> {
          if (TRACEPARENT.equals(key)) {
            carrier[0] = v;
          }
        });
    return value[0];
  }
}
