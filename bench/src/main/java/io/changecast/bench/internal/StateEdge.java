package io.changecast.bench.internal;

import io.changecast.edge.ChangecastEdge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * An edge ({@link ChangecastEdge#main}) in a child JVM of its own ({@link EdgeTarget#JVM_OPTIONS}),
 * auth off, on a given events topic, application id and state directory, so that a second start
 * with the same three is a restart; {@link #readyMillis} is the time from launching the JVM to
 * {@code /health/ready} answering 200 (polled every 10 ms).
 */
public final class StateEdge implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP = Duration.ofMinutes(10);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ChildProcess process;
  private final int port;
  private final long readyMillis;
  private final Map<String, String> config;

  private StateEdge(ChildProcess process, int port, long readyMillis, Map<String, String> config) {
    this.process = process;
    this.port = port;
    this.readyMillis = readyMillis;
    this.config = config;
  }

  /** Starts the edge and waits until it is ready. */
  public static StateEdge start(
      String bootstrapServers,
      Path workDir,
      String label,
      String topic,
      String applicationId,
      Path stateDir,
      Map<String, String> extra) {
    int port = EdgeTarget.freePort();
    Map<String, String> config = new LinkedHashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("http.host", HOST);
    config.put("http.port", Integer.toString(port));
    config.put("events.topic", topic);
    config.put("application.id", applicationId);
    config.put("state.dir", stateDir.toString());
    config.put("auth.mode", "none");
    config.putAll(extra);
    Path file = workDir.resolve("edge-" + label + ".properties");
    Properties properties = new Properties();
    properties.putAll(config);
    try (var out = Files.newBufferedWriter(file)) {
      properties.store(out, "bench edge " + label);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long launched = System.nanoTime();
    ChildProcess process =
        ChildProcess.startLogged(
            "edge-" + label,
            ChildProcess.java(
                EdgeTarget.JVM_OPTIONS,
                ChangecastEdge.class.getName(),
                "--config",
                file.toString()),
            workDir.resolve("edge-" + label + ".log"));
    try {
      URI ready = URI.create("http://" + HOST + ":" + port + "/health/ready");
      long deadline = launched + STARTUP.toNanos();
      while (true) {
        if (!process.alive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "edge "
                  + label
                  + " not ready (log: "
                  + workDir.resolve("edge-" + label + ".log")
                  + ")");
        }
        try {
          if (HTTP.send(
                      HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) {
            break;
          }
        } catch (IOException e) {
          // not listening yet
        }
        LockSupport.parkNanos(10_000_000L); // a poll interval
      }
      long readyMillis = (System.nanoTime() - launched) / 1_000_000;
      return new StateEdge(process, port, readyMillis, config);
    } catch (InterruptedException e) {
      process.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  public URI url() {
    return URI.create("http://" + HOST + ":" + port);
  }

  public long readyMillis() {
    return readyMillis;
  }

  public long rssBytes() {
    return process.rssBytes();
  }

  public long heapAfterGcBytes() {
    return Environment.heapAfterGcBytes(process.pid());
  }

  public long cpuNanos() {
    return process.cpuNanos();
  }

  public Map<String, String> config() {
    return config;
  }

  /** The edge's {@code /metrics} text ("" when it does not answer). */
  public String metrics() {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(url().resolve("/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Bytes of the files under {@code dir} (0 when it does not exist). */
  public static long bytesOnDisk(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // deleted meanwhile (RocksDB compaction)
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  /** Stops the edge politely (SIGTERM: its shutdown hook closes Kafka Streams cleanly). */
  @Override
  public void close() {
    process.close();
  }
}
