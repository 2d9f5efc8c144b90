package io.changecast.router.internal.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Serves {@code GET /metrics} in the Prometheus text format, and the router's health: {@code
 * /health/live} (200 while Kafka Streams has not stopped or failed) and {@code /health/ready} (200
 * while it is {@code RUNNING}), each with a JSON body naming the state; with the JDK's HTTP server.
 */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving {@code registry} and the health of {@code state} on {@code host:port} ({@code
   * 0}: a free port).
   */
  public static MetricsServer start(
      PrometheusMeterRegistry registry, String host, int port, Supplier<KafkaStreams.State> state) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
      server.createContext(
          "/metrics",
          exchange -> send(exchange, 200, "text/plain; version=0.0.4", registry.scrape()));
      server.createContext(
          "/health/live", exchange -> health(exchange, state.get(), isLive(state.get())));
      server.createContext(
          "/health/ready",
          exchange -> health(exchange, state.get(), state.get() == KafkaStreams.State.RUNNING));
      server.start();
      return new MetricsServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot serve metrics on " + host + ":" + port, e);
    }
  }

  private static boolean isLive(KafkaStreams.State state) {
    return state != KafkaStreams.State.ERROR
        && state != KafkaStreams.State.NOT_RUNNING
        && state != KafkaStreams.State.PENDING_ERROR;
  }

  private static void health(HttpExchange exchange, KafkaStreams.State state, boolean up)
      throws IOException {
    String body =
        "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"streams\":\"" + state.name() + "\"}";
    send(exchange, up ? 200 : 503, "application/json", body);
  }

  private static void send(HttpExchange exchange, int status, String contentType, String text)
      throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
