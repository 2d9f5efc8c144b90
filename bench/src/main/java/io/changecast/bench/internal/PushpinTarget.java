package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * Pushpin (the Debian package) as the peer: a tiny GRIP origin in this JVM answers every {@code GET
 * /v1/tenants/<tenant>/events} with {@code Grip-Hold: stream} and {@code Grip-Channel: <tenant>};
 * events are published to channel {@code <tenant>} through Pushpin's HTTP publish API ({@code POST
 * http://127.0.0.1:5561/publish/}), batched per flush, as {@code http-stream} content in the same
 * SSE framing as the edge's.
 */
public final class PushpinTarget implements SseTarget {

  /** The publish API (Pushpin's default {@code push_in_http_port}). */
  public static final URI PUBLISH = URI.create("http://127.0.0.1:5561/publish/");

  /** Publish bodies stay well under what Pushpin's publish API accepts. */
  private static final int MAX_POST_BYTES = 64 * 1024;

  /** Settings changed from Debian's {@code /etc/pushpin/pushpin.conf} (recorded in the results). */
  public static final List<String> CHANGED_SETTINGS =
      List.of(
          "services=condure,zurl,pushpin-proxy,pushpin-handler (Debian's list lacks zurl, the"
              + " proxy's HTTP client: without it no request reaches the origin)",
          "[proxy] zurl_*_specs: the runner's zurl sockets in rundir (Debian's internal.conf"
              + " points at a system zurl in /var/run/zurl)",
          "message_rate=1000000 (default 2500 messages/s would cap the fan-out)",
          "message_hwm=1000000",
          "rundir, logdir: the run's work directory");

  private static final String HOST = "127.0.0.1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final ChildProcess process;
  private final HttpServer origin;
  private final ExecutorService originThreads;
  private final int port;
  private final String version;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ArrayNode batch = JSON.createArrayNode();
  private int batchBytes;

  private PushpinTarget(
      ChildProcess process,
      HttpServer origin,
      ExecutorService originThreads,
      int port,
      String version) {
    this.process = process;
    this.origin = origin;
    this.originThreads = originThreads;
    this.port = port;
    this.version = version;
  }

  /** Whether the {@code pushpin} command is installed. */
  public static boolean installed() {
    return Files.isExecutable(Path.of("/usr/bin/pushpin"));
  }

  /** Starts the origin and Pushpin routed to it; returns once both ports accept connections. */
  public static PushpinTarget start(Path workDir) {
    if (!installed()) {
      throw new IllegalStateException(
          "pushpin is not installed (apt-get install -y pushpin), or run with --peer none");
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    HttpServer origin;
    try {
      origin = HttpServer.create(new InetSocketAddress(HOST, 0), 1024);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    origin.setExecutor(threads);
    origin.createContext("/v1/tenants/", PushpinTarget::hold);
    origin.start();
    ChildProcess process = null;
    try {
      Path dir = Files.createDirectories(workDir.resolve("pushpin"));
      Files.createDirectories(dir.resolve("run"));
      Files.createDirectories(dir.resolve("log"));
      Path conf = dir.resolve("pushpin.conf");
      Files.writeString(conf, config(dir));
      int port = EdgeTarget.freePort();
      String version = version();
      process =
          ChildProcess.startLogged(
              "pushpin",
              List.of(
                  "pushpin",
                  "--config",
                  conf.toString(),
                  "--port",
                  HOST + ":" + port,
                  "--route",
                  "* " + HOST + ":" + origin.getAddress().getPort(),
                  "--merge-output"),
              dir.resolve("pushpin.log"));
      awaitListening(process, port);
      awaitListening(process, PUBLISH.getPort());
      return new PushpinTarget(process, origin, threads, port, version);
    } catch (IOException | RuntimeException e) {
      if (process != null) {
        process.close();
      }
      origin.stop(0);
      threads.shutdownNow();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  private static String config(Path dir) throws IOException {
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("/etc/pushpin/pushpin.conf"))) {
      if (line.equals("[proxy]")) {
        line =
            "[proxy]\nzurl_out_specs=ipc://{rundir}/{ipc_prefix}zurl-in\n"
                + "zurl_out_stream_specs=ipc://{rundir}/{ipc_prefix}zurl-in-stream\n"
                + "zurl_in_specs=ipc://{rundir}/{ipc_prefix}zurl-out";
      } else if (line.startsWith("services=")) {
        line = "services=condure,zurl,pushpin-proxy,pushpin-handler";
      } else if (line.startsWith("rundir=")) {
        line = "rundir=" + dir.resolve("run");
      } else if (line.startsWith("logdir=")) {
        line = "logdir=" + dir.resolve("log");
      } else if (line.startsWith("message_rate=")) {
        line = "message_rate=1000000";
      } else if (line.startsWith("message_hwm=")) {
        line = "message_hwm=1000000";
      } else if (line.startsWith("routesfile=")) {
        line = "routesfile=/etc/pushpin/routes";
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  private static String version() {
    try {
      Process p = new ProcessBuilder("pushpin", "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return out;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static void awaitListening(ChildProcess process, int port) {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline && process.alive()) {
      try (Socket socket = new Socket(HOST, port)) {
        return;
      } catch (IOException e) {
        LockSupport.parkNanos(100_000_000L);
      }
    }
    throw new IllegalStateException("pushpin is not listening on " + port);
  }

  /** The GRIP origin: hold the stream on the tenant's channel. */
  private static void hold(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath(); // /v1/tenants/<tenant>/events
    String[] parts = path.split("/");
    String tenant = parts.length > 3 ? parts[3] : "unknown";
    byte[] body = ": connected\n\n".getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().add("Grip-Hold", "stream");
    exchange.getResponseHeaders().add("Grip-Channel", tenant);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public String name() {
    return "pushpin";
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
    return -1;
  }

  @Override
  public void publish(String tenant, long id, String json) {
    String content = "id: " + id + "\ndata: " + json + "\n\n";
    ObjectNode item = batch.addObject();
    item.put("channel", tenant);
    item.putObject("formats").putObject("http-stream").put("content", content);
    batchBytes += content.length() + tenant.length() + 64;
    if (batchBytes >= MAX_POST_BYTES) {
      flush(); // Pushpin refuses larger publish bodies ("Request body too large")
    }
  }

  @Override
  public void flush() {
    if (batch.isEmpty()) {
      return;
    }
    ObjectNode body = JSON.createObjectNode();
    body.set("items", batch);
    batch = JSON.createArrayNode();
    batchBytes = 0;
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(PUBLISH)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "pushpin publish answered " + response.statusCode() + ": " + response.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("pushpin publish failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public ObjectNode describe() {
    ObjectNode d = JsonNodeFactory.instance.objectNode();
    d.put("name", name());
    d.put("version", version);
    d.put("process", "pushpin runner + condure + pushpin-proxy + pushpin-handler (RSS summed)");
    d.put(
        "input",
        "HTTP publish API "
            + PUBLISH
            + ", one POST per publisher tick; GRIP origin in the harness");
    ArrayNode changed = d.putArray("changedSettings");
    CHANGED_SETTINGS.forEach(changed::add);
    return d;
  }

  @Override
  public void close() {
    try {
      process.close();
    } finally {
      origin.stop(0);
      originThreads.shutdownNow();
    }
  }
}
