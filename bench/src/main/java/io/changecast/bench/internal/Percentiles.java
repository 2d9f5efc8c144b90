package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/** A latency histogram in microseconds, reported in milliseconds. */
public final class Percentiles {

  private static final long MAX_MICROS = 3_600_000_000L;

  private static final double[] CDF_PERCENTILES = {
    0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100
  };

  private final Histogram histogram;
  private long clamped;

  /** An empty histogram. */
  public Percentiles() {
    this(new Histogram(MAX_MICROS, 3));
  }

  private Percentiles(Histogram histogram) {
    this.histogram = histogram;
  }

  /** The percentiles of a histogram of microseconds recorded elsewhere (e.g. a client process). */
  public static Percentiles of(Histogram micros) {
    return new Percentiles(micros);
  }

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

  /** The distribution as {@code [[percentile, ms], ...]} points, for a CDF chart. */
  public ArrayNode cdfMs() {
    ArrayNode points = JsonNodeFactory.instance.arrayNode();
    if (histogram.getTotalCount() == 0) {
      return points;
    }
    for (double p : CDF_PERCENTILES) {
      points.addArray().add(p).add(ms(histogram.getValueAtPercentile(p)));
    }
    return points;
  }

  private static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
