package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/** A latency histogram in microseconds, reported in milliseconds. */
public final class Percentiles {

  private static final long MAX_MICROS = 3_600_000_000L;

  private final Histogram histogram = new Histogram(MAX_MICROS, 3);
  private long clamped;

  /** Records one value; negative values (clock truncation to ms) count as 0 and are tallied. */
  public void record(long micros) {
    if (micros < 0) {
      clamped++;
      micros = 0;
    }
    histogram.recordValue(Math.min(micros, MAX_MICROS));
  }

  /** {@code count, p50Ms, p90Ms, p99Ms, maxMs, meanMs} (and {@code clampedToZero} when any). */
  public ObjectNode toJson() {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("count", histogram.getTotalCount());
    json.put("p50Ms", ms(histogram.getValueAtPercentile(50)));
    json.put("p90Ms", ms(histogram.getValueAtPercentile(90)));
    json.put("p99Ms", ms(histogram.getValueAtPercentile(99)));
    json.put("maxMs", ms(histogram.getMaxValue()));
    json.put("meanMs", ms(Math.round(histogram.getMean())));
    if (clamped > 0) {
      json.put("clampedToZero", clamped);
    }
    return json;
  }

  private static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
