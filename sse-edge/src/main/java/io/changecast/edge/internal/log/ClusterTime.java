package io.changecast.edge.internal.log;

import java.util.Comparator;

/**
 * A MongoDB cluster time (BSON timestamp): seconds and an ordinal within the second.
 *
 * @param t seconds since the epoch
 * @param i increment within that second
 */
public record ClusterTime(long t, long i) implements Comparable<ClusterTime> {
  private static final Comparator<ClusterTime> ORDER =
      Comparator.comparingLong(ClusterTime::t).thenComparingLong(ClusterTime::i);

  @Override
  public int compareTo(ClusterTime other) {
    return ORDER.compare(this, other);
  }

  /** {@code t.i}, as shown in heartbeat comments. */
  @Override
  public String toString() {
    return t + "." + i;
  }
}
