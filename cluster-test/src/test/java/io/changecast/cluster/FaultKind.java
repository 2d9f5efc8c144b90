package io.changecast.cluster;

/** The faults the cluster test injects, each followed by recovery before the next one. */
enum FaultKind {
  /**
   * SIGKILL ({@code docker kill}) the router holding the active task, then {@code docker start}.
   */
  ROUTER_KILL("router SIGKILL"),
  /** SIGKILL a random edge, then start it. */
  EDGE_KILL("edge SIGKILL"),
  /** SIGKILL the Connect worker running the connector's task, then start it. */
  CONNECT_KILL("Connect worker SIGKILL"),
  /** {@code docker restart} the Kafka broker. */
  KAFKA_RESTART("Kafka broker restart"),
  /**
   * {@code docker pause} the active router for longer than its consumer session timeout, then
   * {@code docker unpause}: the group moves the task to the other router and the paused one, a
   * zombie when it wakes, must be fenced.
   */
  ROUTER_PAUSE("router pause past session timeout");

  final String label;

  FaultKind(String label) {
    this.label = label;
  }
}
