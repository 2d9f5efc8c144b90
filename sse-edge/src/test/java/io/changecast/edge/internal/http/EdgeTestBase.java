package io.changecast.edge.internal.http;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;

/**
 * A real edge server per test over an in-memory log (heartbeats every 200 ms), with typed test
 * envelopes; everything in {@link #toClose} and the server are closed after each test.
 */
abstract class EdgeTestBase {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(20);

  final HttpClient http = HttpClient.newHttpClient();
  final List<AutoCloseable> toClose = new ArrayList<>();
  InMemoryEventLog log;
  EdgeMetrics metrics;
  EdgeServer server;

  /** Starts the server with {@code retention} events per tenant and config key/value pairs. */
  void start(int retention, String... settings) {
    start(new InMemoryEventLog(retention), settings);
  }

  /** Starts the server over {@code log} with config key/value pairs. */
  void start(InMemoryEventLog log, String... settings) {
    this.log = log;
    metrics = new EdgeMetrics();
    Map<String, String> values = new HashMap<>();
    values.put("bootstrap.servers", "unused:9092");
    values.put("http.port", "0");
    values.put("heartbeat.interval.ms", "200");
    for (int i = 0; i < settings.length; i += 2) {
      values.put(settings[i], settings[i + 1]);
    }
    server = EdgeServer.start(EdgeConfig.fromMap(values), log, Readiness::ready, metrics);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (server != null) {
      server.close();
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Odd ids: orders.created with total = id; even ids: invoice.sent. */
  static String envelope(String tenant, long id) {
    String type = id % 2 == 1 ? "orders.created" : "invoice.sent";
    return "{\"id\":\""
        + id
        + "\",\"tenant\":\""
        + tenant
        + "\",\"type\":\""
        + type
        + "\",\"document\":{\"total\":"
        + id
        + "}}";
  }

  void append(String tenant, long fromId, long toId) {
    for (long id = fromId; id <= toId; id++) {
      log.append(new Event(tenant, id, envelope(tenant, id)));
    }
  }

  /**
   * With two streams of {@code acme} open, appends padded events until the server has cut one,
   * pacing every {@code every} events so that the reading client ({@code goodLastId}) stays within
   * its bound. Returns the last id appended.
   */
  long appendUntilOneStreamIsCut(int paddingChars, int every, LongSupplier goodLastId) {
    String padding = "x".repeat(paddingChars);
    long id = 0;
    while (server.openStreams() == 2 && id < 200_000) {
      id++;
      log.append(
          new Event(
              "acme", id, "{\"id\":\"" + id + "\",\"type\":\"t\",\"pad\":\"" + padding + "\"}"));
      if (id % every == 0) {
        long target = id - every;
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> goodLastId.getAsLong() >= target);
      }
    }
    return id;
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  HttpResponse<String> get(URI uri, String... headers) throws Exception {
    return TestHttp.get(http, WAIT, uri, headers);
  }
}
