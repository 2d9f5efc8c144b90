package io.changecast.bench;

import java.util.Locale;

/** A benchmark scenario the harness can run. */
public enum Scenario {
  /** Paced MongoDB writes, each timed from the write to an SSE client's receipt. */
  LATENCY,
  /** A reconnect with {@code Last-Event-ID: 0} to a backlog: time to catch up. */
  REPLAY;

  /** The lower-case name used on the command line and in result file names. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
