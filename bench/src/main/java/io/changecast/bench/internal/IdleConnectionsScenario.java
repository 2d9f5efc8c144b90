package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.bench.Mode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle connections: ramps SSE streams against one server process, in steps, and after each step
 * measures the server's RSS, its heap after a full GC (JVM servers) and the kernel's TCP memory
 * (socket buffers, and the socket structures' slabs, both ends of each loopback connection); each
 * is reported as the delta from the idle server divided by the open connections.
 */
public final class IdleConnectionsScenario {

  /** The connection counts to measure at, rising. */
  public record Plan(List<Integer> steps, int tenants) {}

  private static final Logger log = LoggerFactory.getLogger(IdleConnectionsScenario.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * How long a target's baseline waits for the machine's TCP sockets, their buffers and their slabs
   * to return to where they were before the scenario: the previous target's connections, closed by
   * their clients, are freed only once that server notices (an idle stream's server may not until
   * its next heartbeat), and their memory with them.
   */
  private static final Duration SETTLE = Duration.ofSeconds(60);

  /** Above the scenario's start and still settled: sockets, bytes of buffers, bytes of slabs. */
  private static final long[] SETTLED_SLACK = {200, 4L << 20, 4L << 20};

  private final Targets targets;

  public IdleConnectionsScenario(Targets targets) {
    this.targets = targets;
  }

  /**
   * quick: 500, 1,000; full: 1k, 2.5k, 5k, 10k, 15k, 19k (the server may hold 20,000 files); 100
   * tenants.
   */
  public static Plan plan(Mode mode, int connectionsOverride) {
    if (connectionsOverride > 0) {
      return new Plan(List.of(Math.max(1, connectionsOverride / 2), connectionsOverride), 100);
    }
    return mode == Mode.QUICK
        ? new Plan(List.of(500, 1_000), 100)
        : new Plan(List.of(1_000, 2_500, 5_000, 10_000, 15_000, 19_000), 100);
  }

  /** Runs the plan against each target; one JSON object per target. */
  public ArrayNode run(Plan plan) {
    long[] kernelAtStart = Environment.tcpSockstat();
    return targets.each(target -> run(target, plan, kernelAtStart));
  }

  /** Waits, at most SETTLE, until the kernel's TCP figures are back near {@code kernelAtStart}. */
  private static void awaitSocketsFreed(long[] kernelAtStart) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    long[] now;
    while (!settled(now = Environment.tcpSockstat(), kernelAtStart)
        && System.nanoTime() < deadline) {
      LockSupport.parkNanos(200_000_000L);
    }
    if (!settled(now, kernelAtStart)) {
      log.warn(
          "idle: TCP sockets, buffer bytes, slab bytes still {} ({} at the start)",
          Arrays.toString(now),
          Arrays.toString(kernelAtStart));
    }
  }

  private static boolean settled(long[] now, long[] kernelAtStart) {
    for (int i = 0; i < now.length; i++) {
      if (now[i] > kernelAtStart[i] + SETTLED_SLACK[i]) {
        return false;
      }
    }
    return true;
  }

  private ObjectNode run(SseTarget target, Plan plan, long[] kernelAtStart) {
    ObjectNode result = JSON.objectNode();
    int max = plan.steps().get(plan.steps().size() - 1);
    try (ClientFleet fleet = ClientFleet.start(max, targets.workDir())) {
      result.put("clientProcesses", fleet.processes());
      // A plan whose connections (both ends) fit within the slack cannot have moved the kernel's
      // figures past it: a wait would only wait for other processes' sockets (smoke runs).
      if (2L * max > SETTLED_SLACK[0]) {
        awaitSocketsFreed(kernelAtStart);
      }
      Sample baseline = Sample.of(target);
      result.set("baseline", baseline.toJson());
      ArrayNode points = result.putArray("points");
      int open = 0;
      for (int step : plan.steps()) {
        ClientFleet.Opened opened = fleet.open(target, step - open, plan.tenants());
        open = step;
        Sample sample = Sample.of(target);
        ClientFleet.Stats stats = fleet.stats();
        ObjectNode point = points.addObject();
        point.put("connections", step);
        point.put("open", stats.open());
        point.put("failed", opened.failed());
        point.put("retried", opened.retried());
        if (opened.firstError() != null) {
          point.put("firstError", opened.firstError());
        }
        point.setAll(sample.toJson());
        long held = Math.max(1, stats.open());
        ObjectNode per = point.putObject("perConnectionBytes");
        per.put("rss", (sample.rss - baseline.rss) / held);
        if (sample.heap >= 0 && baseline.heap >= 0) {
          per.put("heapAfterGc", (sample.heap - baseline.heap) / held);
        }
        per.put("tcpBufferMemBothEnds", (sample.tcpMem - baseline.tcpMem) / held);
        if (sample.slab >= 0 && baseline.slab >= 0) {
          per.put("kernelSocketSlabBothEnds", (sample.slab - baseline.slab) / held);
        }
        point.put("clientRssBytes", fleet.rssBytes());
        log.info(
            "idle: {} with {} open streams: {} B RSS per connection",
            target.name(),
            stats.open(),
            per.path("rss").asLong());
        if (opened.failed() > 0) {
          break; // the limit is reached: the next steps would measure failures
        }
      }
    }
    return result;
  }

  /** One measurement of the server and the kernel. */
  private record Sample(long rss, long heap, long tcpInUse, long tcpMem, long slab) {
    static Sample of(SseTarget target) {
      long heap = target.heapAfterGcBytes(); // runs a full GC first, so RSS is read after it
      long rss = target.rssBytes();
      long[] tcp = Environment.tcpSockstat();
      return new Sample(rss, heap, tcp[0], tcp[1], tcp[2]);
    }

    ObjectNode toJson() {
      ObjectNode json = JSON.objectNode();
      json.put("rssBytes", rss);
      json.put("heapAfterGcBytes", heap);
      json.put("tcpSocketsInUse", tcpInUse);
      json.put("tcpBufferMemBytes", tcpMem);
      json.put("kernelSocketSlabBytes", slab);
      return json;
    }
  }
}
