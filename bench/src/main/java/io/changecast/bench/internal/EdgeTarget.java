package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.edge.ChangecastEdge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The Changecast edge ({@link ChangecastEdge#main}) in a child JVM of its own, so that its RSS is
 * its own, reading a fresh events topic of the harness's broker; the harness produces envelopes to
 * that topic as the router would, with {@code routedAt} set when produced.
 */
public final class EdgeTarget implements SseTarget {

  /** The edge child's JVM options (recorded in the results). */
  public static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx1g", "-XX:+UseG1GC");

  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Pattern INPUT_AGE_BUCKET =
      Pattern.compile(
          "(?m)^changecast_edge_input_age_seconds_bucket\\{le=\"([^\"]+)\"[^}]*\\}\\s+(\\S+)");
  private final HttpClient http = HttpClient.newHttpClient();

  private final ChildProcess process;
  private final int port;
  private final Map<String, String> config;
  private final EventsTopic events;

  private EdgeTarget(
      ChildProcess process, int port, Map<String, String> config, EventsTopic events) {
    this.process = process;
    this.port = port;
    this.config = config;
    this.events = events;
  }

  /** Creates a fresh events topic, starts the edge on it and waits for {@code /health/ready}. */
  public static EdgeTarget start(String bootstrapServers, Path workDir) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    EventsTopic events = EventsTopic.create(bootstrapServers, "edge-events");
    String topic = events.name();
    int port = freePort();
    Map<String, String> config = new LinkedHashMap<>();
    config.put("bootstrap.servers", bootstrapServers);
    config.put("http.host", HOST);
    config.put("http.port", Integer.toString(port));
    config.put("events.topic", topic);
    config.put("application.id", "bench-edge-" + id);
    config.put("state.dir", workDir.resolve("edge-state-" + id).toString());
    config.put("auth.mode", "none");
    // the fan-out puts up to 10k subscribers (full mode) on one tenant: the default cap
    config.put("sse.max-streams-per-tenant", "20000");
    Path file = workDir.resolve("edge-" + id + ".properties");
    Properties properties = new Properties();
    properties.putAll(config);
    try (var out = Files.newBufferedWriter(file)) {
      properties.store(out, "bench edge");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChildProcess process =
        ChildProcess.startLogged(
            "edge",
            ChildProcess.java(
                JVM_OPTIONS, ChangecastEdge.class.getName(), "--config", file.toString()),
            workDir.resolve("edge-" + id + ".log"));
    try {
      awaitReady(process, port);
      return new EdgeTarget(process, port, config, events);
    } catch (RuntimeException e) {
      events.close();
      process.close();
      throw e;
    }
  }

  private static void awaitReady(ChildProcess process, int port) {
    HttpClient http = HttpClient.newHttpClient();
    URI ready = URI.create("http://" + HOST + ":" + port + "/health/ready");
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline && process.alive()) {
      try {
        if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
    throw new IllegalStateException("the edge child is not ready on port " + port);
  }

  /** Creates {@code topic} with one replica on the harness's broker. */
  static void createTopic(String bootstrapServers, String topic, int partitions) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot create " + topic, e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "changecast-edge";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public long rssBytes() {
    return process.rssBytes();
  }

  @Override
  public long cpuNanos() {
    return process.cpuNanos();
  }

  @Override
  public long heapAfterGcBytes() {
    return Environment.heapAfterGcBytes(process.pid());
  }

  /** From the edge's {@code changecast_edge_input_age_seconds} histogram on {@code /metrics}. */
  @Override
  public NavigableMap<Double, Long> inputAgeBuckets() {
    NavigableMap<Double, Long> buckets = new TreeMap<>();
    try {
      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher bucket = INPUT_AGE_BUCKET.matcher(metrics);
      while (bucket.find()) {
        double le =
            bucket.group(1).equals("+Inf")
                ? Double.POSITIVE_INFINITY
                : Double.parseDouble(bucket.group(1)) * 1_000;
        buckets.put(le, (long) Double.parseDouble(bucket.group(2)));
      }
    } catch (IOException e) {
      return buckets; // not answered: no figure for this step
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return buckets;
  }

  @Override
  public void publish(String tenant, long id, String json) {
    events.publish(tenant, json);
  }

  /** Nothing to wait for: the producer sends within {@code linger.ms=1} on its own thread. */
  @Override
  public void flush() {}

  @Override
  public ObjectNode describe() {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("name", name());
    d.put(
        "process",
        "child JVM: java " + String.join(" ", JVM_OPTIONS) + " " + ChangecastEdge.class.getName());
    d.put("input", EventsTopic.description());
    ObjectNode settings = d.putObject("config");
    config.forEach(
        (key, value) -> {
          if (!key.equals("bootstrap.servers") && !key.equals("state.dir")) {
            settings.put(key, value);
          }
        });
    return d;
  }

  @Override
  public void close() {
    try {
      events.close();
    } finally {
      process.close();
    }
  }
}
