package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The loopback floor as an {@link SseTarget}: a {@link LoopbackFloorServer} in a child JVM, given
 * each event over its stdin (one line per event, flushed once per publisher tick, as the edge's
 * producer batches per tick) and writing it straight to its tenant's connections. The fan-out's
 * clients, shapes, rates and latency measure ({@code routedAt} → read) apply unchanged, so the
 * edge's figures divide by these at the same connections and rate.
 */
public final class FloorTarget implements SseTarget {

  /** The writer process's JVM options (the edge's heap cap; a small heap, little garbage). */
  public static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx256m", "-XX:+UseG1GC");

  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final ChildProcess process;
  private final int port;

  private FloorTarget(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the writer process; its log goes to {@code workDir}. */
  public static FloorTarget start(Path workDir) {
    ChildProcess process =
        ChildProcess.start(
            "loopback-floor",
            ChildProcess.java(JVM_OPTIONS, LoopbackFloorServer.class.getName()),
            workDir.resolve("loopback-floor.log"));
    try {
      String answer = process.await("PORT ", STARTUP);
      return new FloorTarget(process, Integer.parseInt(answer.substring("PORT ".length()).trim()));
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return "loopback-floor";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String pathPrefix() {
    return LoopbackFloorServer.PATH_PREFIX;
  }

  @Override
  public long rssBytes() {
    return process.rssBytes();
  }

  @Override
  public long heapAfterGcBytes() {
    return -1;
  }

  @Override
  public long cpuNanos() {
    return process.cpuNanos();
  }

  @Override
  public void publish(String tenant, long id, String json) {
    process.write("e " + tenant + " " + id + " " + json);
  }

  @Override
  public void flush() {
    process.write("f");
    process.flush();
  }

  /** The writer closes every connection it holds and answers once it has. */
  @Override
  public void subscribersClosed() {
    process.send("r");
    process.await(LoopbackFloorServer.DROPPED, STARTUP);
  }

  @Override
  public ObjectNode describe() {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("name", name());
    d.put(
        "process",
        "child JVM: java "
            + String.join(" ", JVM_OPTIONS)
            + " "
            + LoopbackFloorServer.class.getName()
            + " (a writer thread per core, blocking SocketChannel writes, no HTTP library)");
    d.put(
        "input",
        "one stdin line per event from the harness, handed to the writers once per publisher"
            + " tick");
    return d;
  }

  @Override
  public void close() {
    try {
      process.send("close");
    } catch (RuntimeException e) {
      // already gone
    }
    process.close();
  }
}
