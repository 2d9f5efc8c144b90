package io.changecast.bench;

import java.util.Locale;

/** A benchmark scenario the harness can run. */
public enum Scenario {
  /** Paced MongoDB writes, each timed from the write to an SSE client's receipt. */
  LATENCY,
  /** A reconnect with {@code Last-Event-ID: 0} to a backlog: time to catch up. */
  REPLAY,
  /** The router alone on a backlog, and the highest write rate the whole pipeline keeps up with. */
  THROUGHPUT,
  /** Idle SSE streams ramped against one server process: memory per connection. */
  IDLE_CONNECTIONS,
  /** Many subscribers per event at rising rates: deliveries per second and delivery latency. */
  FAN_OUT,
  /**
   * The machine's floor under fan-out: a minimal writer reading the events topic as the edge does
   * (and the same writer fed over stdin, no broker hop), the fan-out's clients reading it.
   */
  LOOPBACK_FLOOR,
  /**
   * The edge's document state (issue 20): snapshot time beside a floor, size, event rate with the
   * state on and off, restart.
   */
  DOCUMENT_STATE;

  /** The lower-case name used on the command line and in result file names. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The scenario named {@code id} ({@link #id()}). */
  public static Scenario of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
