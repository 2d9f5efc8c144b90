package io.changecast.edge.internal.stream;

/** The transports a tenant's stream is served over; the {@code transport} label of the metrics. */
public enum Transport {
  SSE("sse"),
  WS("ws");

  private final String label;

  Transport(String label) {
    this.label = label;
  }

  /** The metric label value. */
  String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}
