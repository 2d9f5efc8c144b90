package io.changecast.cluster;

import java.util.Map;
import java.util.OptionalLong;

/**
 * How far behind the pipeline is once the faults are over.
 *
 * <p>Definition: let R be the moment the last fault's recovery ended (its container back and
 * healthy). For every write acknowledged by MongoDB at time A, its catch-up time is D − max(A, R),
 * where D is when its tenant's client first received it. So a write acknowledged before R must
 * reach its client within the bound after R, and a later one within the bound after its own
 * acknowledgement. The run's catch-up is the largest of these; a write never delivered has none,
 * and makes the whole result empty (not caught up at all).
 */
final class CatchUp {

  private CatchUp() {}

  /**
   * @param acknowledgedAt per write ({@link Workload.Write#seq()}), when MongoDB acknowledged it
   *     (epoch ms)
   * @param firstDelivered per write, when its client first received it (epoch ms)
   * @param recoveredAt R, epoch ms
   * @return the largest catch-up time in ms (0 when every write arrived before R), or empty when
   *     some acknowledged write was never delivered
   */
  static OptionalLong maxMillis(
      Map<Integer, Long> acknowledgedAt, Map<Integer, Long> firstDelivered, long recoveredAt) {
    long max = 0;
    for (Map.Entry<Integer, Long> ack : acknowledgedAt.entrySet()) {
      Long delivered = firstDelivered.get(ack.getKey());
      if (delivered == null) {
        return OptionalLong.empty();
      }
      max = Math.max(max, delivered - Math.max(ack.getValue(), recoveredAt));
    }
    return OptionalLong.of(max);
  }
}
