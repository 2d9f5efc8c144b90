package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The SSE servers the side-by-side scenarios run against: the edge, then Pushpin when the peer is
 * on. Each is started when first needed and kept for the run (the idle-connection scenario, which
 * runs first, measures servers that have not served yet; the fan-out reuses them, which saves a JVM
 * start per scenario); {@link #close} stops them.
 */
public final class Targets implements AutoCloseable {

  private final String bootstrapServers;
  private final Path workDir;
  private final boolean withPushpin;
  private final Map<String, SseTarget> started = new LinkedHashMap<>();

  public Targets(String bootstrapServers, Path workDir, boolean withPushpin) {
    this.bootstrapServers = bootstrapServers;
    this.workDir = workDir;
    this.withPushpin = withPushpin;
  }

  /** Where configs and logs of the started processes go. */
  public Path workDir() {
    return workDir;
  }

  /** {@code changecast-edge}, then {@code pushpin} when the peer is on. */
  public List<String> names() {
    return withPushpin ? List.of("changecast-edge", "pushpin") : List.of("changecast-edge");
  }

  /**
   * Applies {@code run} to each target in turn, starting it if needed; each result is the target's
   * {@link SseTarget#describe() description} under {@code target} plus what {@code run} returned.
   */
  public ArrayNode each(Function<SseTarget, ObjectNode> run) {
    ArrayNode results = JsonNodeFactory.instance.arrayNode();
    for (String name : names()) {
      SseTarget target = started.computeIfAbsent(name, this::start);
      ObjectNode result = results.addObject();
      result.set("target", target.describe());
      result.setAll(run.apply(target));
    }
    return results;
  }

  private SseTarget start(String name) {
    return name.equals("pushpin")
        ? PushpinTarget.start(workDir)
        : EdgeTarget.start(bootstrapServers, workDir);
  }

  /** Stops every started target. */
  @Override
  public void close() {
    started.values().forEach(SseTarget::close);
    started.clear();
  }
}
