package io.changecast.bench.internal;

import java.time.Instant;

/** The one clock writers and clients share in the harness JVM: epoch microseconds. */
public final class Clock {

  private Clock() {}

  /** Now, in microseconds since the epoch. */
  public static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
