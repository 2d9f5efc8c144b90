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
 * routedAt}, stamped when the harness publishes, → the client's read), against a writer process
 * that does no more than write each event's SSE frame to its tenant's connections ({@link
 * LoopbackFloorServer}) instead of a server. So each shape bursts as it does against the edge (1 ×
 * 10,000: one event to 10,000 connections; 1,000 × 10: each tick's events to 10 connections each),
 * and the edge's p99 divides by the floor's at the same connections and rate ({@code Summary}).
 */
public final class LoopbackFloorScenario {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Path workDir;

  public LoopbackFloorScenario(Path workDir) {
    this.workDir = workDir;
  }

  /** The fan-out's plan for the same options: the floor runs exactly its shapes and rates. */
  public static FanOutScenario.Plan plan(
      Mode mode, int subscribersOverride, List<FanOutScenario.Shape> shapes, List<Integer> rates) {
    return FanOutScenario.plan(mode, subscribersOverride, shapes, rates);
  }

  /** Starts the writer process, runs the plan against it, stops it. */
  public ObjectNode run(FanOutScenario.Plan plan) {
    try (FloorTarget target = FloorTarget.start(workDir)) {
      ObjectNode result = JSON.objectNode();
      result.set("target", target.describe());
      result.setAll(FanOutScenario.run(target, plan, workDir));
      return result;
    }
  }
}
