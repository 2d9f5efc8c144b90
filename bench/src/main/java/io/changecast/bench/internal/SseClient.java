package io.changecast.bench.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A lean SSE client: the JDK's {@link HttpClient} with a line reader on one daemon thread per
 * connection. Each event is stamped with its receive time (epoch microseconds) when its blank
 * terminating line is read, before any parsing.
 */
public final class SseClient implements AutoCloseable {

  /** One dispatched SSE event. */
  public record Event(String id, String name, String data, long receivedAtMicros) {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private final InputStream body;
  private final Thread reader;
  private volatile boolean closed;

  private SseClient(InputStream body, Consumer<Event> onEvent, String name) {
    this.body = body;
    this.reader = new Thread(() -> read(onEvent), name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Opens a tenant's stream, resuming after {@code lastEventId}; returns once the response headers
   * arrived.
   */
  public static SseClient open(
      URI edge, String tenant, String lastEventId, Consumer<Event> onEvent) {
    return openUri(edge.resolve("/v1/tenants/" + tenant + "/events"), tenant, lastEventId, onEvent);
  }

  /**
   * Opens the stream at {@code uri} (a tenant's events URL with its query), resuming after {@code
   * lastEventId} unless it is null; returns once the response headers arrived.
   */
  public static SseClient openUri(
      URI uri, String tenant, String lastEventId, Consumer<Event> onEvent) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      builder.header("Last-Event-ID", lastEventId);
    }
    HttpRequest request = builder.build();
    HttpResponse<InputStream> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the SSE stream of " + tenant, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while opening the SSE stream", e);
    }
    if (response.statusCode() != 200) {
      String detail;
      try (InputStream in = response.body()) {
        detail = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        detail = e.toString();
      }
      throw new IllegalStateException(
          "SSE stream of " + tenant + " answered " + response.statusCode() + ": " + detail);
    }
    return new SseClient(response.body(), onEvent, "sse-" + tenant);
  }

  private void read(Consumer<Event> onEvent) {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String name = null;
      StringBuilder data = null;
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            onEvent.accept(new Event(id, name, data.toString(), Clock.nowMicros()));
          }
          name = null;
          data = null;
        } else if (line.startsWith("data:")) {
          String value = field(line, 5);
          data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        } else if (line.startsWith("id:")) {
          id = field(line, 3);
        } else if (line.startsWith("event:")) {
          name = field(line, 6);
        }
      }
    } catch (IOException e) {
      if (!closed) {
        throw new IllegalStateException("SSE stream failed", e);
      }
    }
  }

  private static String field(String line, int from) {
    return line.startsWith(" ", from) ? line.substring(from + 1) : line.substring(from);
  }

  @Override
  public void close() {
    closed = true;
    try {
      body.close();
    } catch (IOException e) {
      // closing anyway
    }
    reader.interrupt();
  }
}
