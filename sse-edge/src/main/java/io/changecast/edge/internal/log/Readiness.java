package io.changecast.edge.internal.log;

/** Whether the edge can serve its event log now. */
public sealed interface Readiness {
  /** Ready to serve. */
  record Ready() implements Readiness {}

  /** Not ready, and why (shown in {@code /health/ready}). */
  record NotReady(String reason) implements Readiness {}

  static Readiness ready() {
    return new Ready();
  }

  static Readiness notReady(String reason) {
    return new NotReady(reason);
  }
}
