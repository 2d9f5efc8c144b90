package io.changecast.edge.internal.log;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** The latest source cluster time seen in the event log ("data as of"). Thread-safe. */
public final class SourceClock {
  private final AtomicReference<ClusterTime> latest = new AtomicReference<>();

  /** Records {@code time} if it is later than what was seen so far. */
  public void observe(ClusterTime time) {
    latest.accumulateAndGet(
        time, (current, seen) -> current == null || seen.compareTo(current) > 0 ? seen : current);
  }

  public Optional<ClusterTime> latest() {
    return Optional.ofNullable(latest.get());
  }
}
