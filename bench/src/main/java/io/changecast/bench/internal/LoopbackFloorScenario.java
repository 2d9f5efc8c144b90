package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.bench.Mode;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's floor under the fan-out scenario, like for like: the fan-out's own plan (shapes,
 * delivery rates, steps), publisher, client processes ({@link ClientFleet}: {@link NioSseClients}
 * spread over source addresses 127.0.0.2+, each under 20,000 open files) and measure ({@code
 * routedAt}, stamped when the harness publishes, → the client's read), against a minimal writer
 * process ({@link LoopbackFloorServer}) instead of a server. Twice: {@code floor} reads a fresh
 * events topic of the same broker, published to exactly as for the edge, with the edge's consumer
 * settings (the same hop as the edge's latency; the edge's p99 divides by this one in {@code
 * Summary}); {@code floorNoHop} takes the same events over stdin (what is left without the broker).
 * Each shape bursts as it does against the edge (1 × 10,000: one event to 10,000 connections; 1,000
 * × 10: each tick's events to 10 connections each).
 */
public final class LoopbackFloorScenario {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final String bootstrapServers;
  private final Path workDir;

  public LoopbackFloorScenario(String bootstrapServers, Path workDir) {
    this.bootstrapServers = bootstrapServers;
    this.workDir = workDir;
  }

  /** The fan-out's plan for the same options: the floor runs exactly its shapes and rates. */
  public static FanOutScenario.Plan plan(
      Mode mode, int subscribersOverride, List<FanOutScenario.Shape> shapes, List<Integer> rates) {
    return FanOutScenario.plan(mode, subscribersOverride, shapes, rates);
  }

  /**
   * Runs the plan against the writer reading the events topic ({@code floor}), then against the
   * writer fed over stdin ({@code floorNoHop}), each in a process of its own.
   */
  public ObjectNode run(FanOutScenario.Plan plan) {
    ObjectNode result = JSON.objectNode();
    try (FloorTarget target = FloorTarget.start(bootstrapServers, workDir)) {
      result.set("floor", run(target, plan));
    }
    try (FloorTarget target = FloorTarget.start(workDir)) {
      result.set("floorNoHop", run(target, plan));
    }
    return result;
  }

  private ObjectNode run(FloorTarget target, FanOutScenario.Plan plan) {
    ObjectNode result = JSON.objectNode();
    result.set("target", target.describe());
    result.setAll(FanOutScenario.run(target, plan, workDir));
    return result;
  }
}
