package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The loopback floor as an {@link SseTarget}: a {@link LoopbackFloorServer} in a child JVM. Started
 * with a broker, it reads a fresh events topic to which the harness publishes exactly as it does
 * for the edge ({@link EventsTopic}), so its latency counts the same hop; started without, it is
 * given each event over its stdin (one line per event, flushed once per publisher tick), the "no
 * broker hop" form that shows what the hop costs. The fan-out's clients, shapes, rates and latency
 * measure ({@code routedAt} → read) apply unchanged, so the edge's figures divide by these at the
 * same connections and rate.
 */
public final class FloorTarget implements SseTarget {

  /**
   * The writer process's JVM options: the edge's, so both may hold as much (a connection may lag
   * the edge's queue capacity behind; the frames are direct memory, capped at the heap's maximum).
   */
  public static final List<String> JVM_OPTIONS = EdgeTarget.JVM_OPTIONS;

  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final ChildProcess process;
  private final int port;
  private final EventsTopic events; // null: events go over stdin

  private FloorTarget(ChildProcess process, int port, EventsTopic events) {
    this.process = process;
    this.port = port;
    this.events = events;
  }

  /**
   * Starts the writer process reading a fresh events topic of {@code bootstrapServers}; its log
   * goes to {@code workDir}.
   */
  public static FloorTarget start(String bootstrapServers, Path workDir) {
    EventsTopic events = EventsTopic.create(bootstrapServers, "floor-events");
    try {
      return start(
          workDir, events, "--bootstrap-servers", bootstrapServers, "--topic", events.name());
    } catch (RuntimeException e) {
      events.close();
      throw e;
    }
  }

  /** Starts the writer process taking its events over stdin (no broker hop). */
  public static FloorTarget start(Path workDir) {
    return start(workDir, null);
  }

  private static FloorTarget start(Path workDir, EventsTopic events, String... args) {
    ChildProcess process =
        ChildProcess.start(
            "loopback-floor",
            ChildProcess.java(JVM_OPTIONS, LoopbackFloorServer.class.getName(), args),
            workDir.resolve(
                "loopback-floor" + (events == null ? "-stdin" : "-" + events.name()) + ".log"));
    try {
      String answer = process.await("PORT ", STARTUP);
      return new FloorTarget(
          process, Integer.parseInt(answer.substring("PORT ".length()).trim()), events);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  /** {@code loopback-floor}, or {@code loopback-floor-stdin} for the form without the broker. */
  @Override
  public String name() {
    return events == null ? "loopback-floor-stdin" : "loopback-floor";
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
    if (events != null) {
      events.publish(tenant, json);
    } else {
      process.write("e " + tenant + " " + id + " " + json);
    }
  }

  /** Stdin: hands the tick's events over; topic: nothing (the producer sends on its own). */
  @Override
  public void flush() {
    if (events == null) {
      process.write("f");
      process.flush();
    }
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
            + " (a writer thread per core on its own selector, non-blocking channels; per"
            + " connection, every frame due in one gathering write; no HTTP library)");
    d.put(
        "input",
        events == null
            ? "one stdin line per event from the harness, handed to the writers once per"
                + " publisher tick (no broker hop)"
            : EventsTopic.description()
                + ", read by one KafkaConsumer with the edge's global-consumer settings"
                + " (read_committed, Kafka Streams' defaults), every partition from its end");
    return d;
  }

  @Override
  public void close() {
    try {
      process.send("close");
    } catch (RuntimeException e) {
      // already gone
    }
    try {
      process.close();
    } finally {
      if (events != null) {
        events.close();
      }
    }
  }
}
