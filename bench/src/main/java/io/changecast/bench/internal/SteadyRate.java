package io.changecast.bench.internal;

import java.util.List;

/**
 * The steady drain rate of a backlog from progress samples ({@code {nanos, records done}}): warm-up
 * ends at the first sample, once at least {@link #MIN_WARM_FRACTION} of the backlog is done, where
 * the rates of the two {@link #WINDOW_NANOS} windows before it agree within {@link #AGREEMENT}; the
 * steady rate runs from there to {@link #END_FRACTION} of the backlog.
 *
 * @param steady whether warm-up ended before the end fraction; if not, the rate is over the half of
 *     the backlog before it
 * @param warmUpEndSeconds when warm-up ended, from the first record done
 * @param warmUpRecords records done when warm-up ended
 * @param eventsPerSecond the steady rate
 * @param startNanos sample time where the steady window starts
 * @param endNanos sample time where it ends
 */
record SteadyRate(
    boolean steady,
    double warmUpEndSeconds,
    long warmUpRecords,
    double eventsPerSecond,
    long startNanos,
    long endNanos) {

  static final double MIN_WARM_FRACTION = 0.2;
  static final double END_FRACTION = 0.95;
  static final long WINDOW_NANOS = 2_000_000_000L;
  static final double AGREEMENT = 0.10;

  /** How warm-up ends, for the results. */
  static final String METHOD =
      "progress = the app's committed input offset (exactly-once: its output is committed with it),"
          + " sampled every 250 ms; warm-up ends at the first sample after 20% of the backlog where"
          + " the rates of the two 2 s windows before it agree within 10%; the steady rate runs"
          + " from there to 95% of the backlog";

  static SteadyRate of(List<long[]> samples, long backlog) {
    long end = (long) (backlog * END_FRACTION);
    long[] last = at(samples, end);
    long firstNanos = samples.stream().filter(s -> s[1] > 0).findFirst().orElse(last)[0];
    for (long[] sample : samples) {
      if (sample[1] >= end) {
        break;
      }
      if (sample[1] < backlog * MIN_WARM_FRACTION) {
        continue;
      }
      long[] mid = before(samples, sample[0] - WINDOW_NANOS);
      long[] start = before(samples, sample[0] - 2 * WINDOW_NANOS);
      if (start == null || mid == null || start[0] < firstNanos) {
        continue;
      }
      double recent = rate(mid, sample);
      double earlier = rate(start, mid);
      if (recent > 0 && Math.abs(recent - earlier) <= AGREEMENT * Math.max(recent, earlier)) {
        return new SteadyRate(
            true,
            (sample[0] - firstNanos) / 1e9,
            sample[1],
            rate(sample, last),
            sample[0],
            last[0]);
      }
    }
    long[] half = at(samples, end / 2);
    return new SteadyRate(
        false, (half[0] - firstNanos) / 1e9, half[1], rate(half, last), half[0], last[0]);
  }

  private static double rate(long[] from, long[] to) {
    return to[0] > from[0] ? (to[1] - from[1]) / ((to[0] - from[0]) / 1e9) : 0;
  }

  /** The first sample with at least {@code records} done, else the last. */
  static long[] at(List<long[]> samples, long records) {
    for (long[] sample : samples) {
      if (sample[1] >= records) {
        return sample;
      }
    }
    return samples.get(samples.size() - 1);
  }

  /** The last sample at or before {@code nanos}, or null. */
  private static long[] before(List<long[]> samples, long nanos) {
    long[] found = null;
    for (long[] sample : samples) {
      if (sample[0] > nanos) {
        break;
      }
      found = sample;
    }
    return found;
  }
}
