package io.changecast.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The seeded order and timing of the faults: every {@link FaultKind} {@code perKind} times, in a
 * random order, each preceded by a random quiet time after the previous fault's recovery (the first
 * one: after the warm-up). {@code target} picks among equal candidates (e.g. which edge). The same
 * seed gives the same schedule.
 */
record FaultSchedule(long seed, List<Fault> faults) {

  /** One fault: the {@code index}-th (from 1), its kind, the quiet time before it, its choice. */
  record Fault(int index, FaultKind kind, Duration before, int target) {}

  FaultSchedule {
    faults = List.copyOf(faults);
  }

  static FaultSchedule plan(long seed, int perKind, Duration minQuiet, Duration maxQuiet) {
    if (perKind < 1) {
      throw new IllegalArgumentException("perKind must be at least 1, was " + perKind);
    }
    if (minQuiet.isNegative() || maxQuiet.compareTo(minQuiet) < 0) {
      throw new IllegalArgumentException(
          "quiet times must satisfy 0 <= min <= max, were " + minQuiet + " and " + maxQuiet);
    }
    Random random = new Random(seed);
    List<FaultKind> kinds = new ArrayList<>();
    for (FaultKind kind : FaultKind.values()) {
      for (int i = 0; i < perKind; i++) {
        kinds.add(kind);
      }
    }
    Collections.shuffle(kinds, random);
    long spread = maxQuiet.toMillis() - minQuiet.toMillis();
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      long quiet = minQuiet.toMillis() + (spread == 0 ? 0 : (long) (random.nextDouble() * spread));
      faults.add(
          new Fault(i + 1, kinds.get(i), Duration.ofMillis(quiet), random.nextInt(1_000_000)));
    }
    return new FaultSchedule(seed, faults);
  }

  Map<FaultKind, Integer> countByKind() {
    Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
    faults.forEach(f -> counts.merge(f.kind(), 1, Integer::sum));
    return counts;
  }
}
