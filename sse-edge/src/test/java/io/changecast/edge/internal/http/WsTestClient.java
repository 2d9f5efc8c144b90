package io.changecast.edge.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's {@code java.net.http.WebSocket}) that records the edge's JSON
 * messages and how the connection ended. A paused client requests no message at all, so it stops
 * reading from its socket (a client that stopped reading).
 */
public final class WsTestClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

  /** Every message received, parsed. */
  public final List<JsonNode> messages = new CopyOnWriteArrayList<>();

  /** Completes with the close status received, or -1 when the connection failed. */
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private final WebSocket socket;

  private WsTestClient(HttpClient http, URI uri, boolean paused, String... headers)
      throws Exception {
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    StringBuilder partial = new StringBuilder();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public void onOpen(WebSocket webSocket) {
            if (!paused) {
              webSocket.request(1);
            }
          }

          @Override
          public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              try {
                messages.add(JSON.readTree(partial.toString()));
              } catch (Exception e) {
                closed.completeExceptionally(e);
              }
              partial.setLength(0);
            }
            webSocket.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
          }
        };
    this.socket = builder.buildAsync(uri, listener).get(30, TimeUnit.SECONDS);
  }

  /** Connects (the handshake must succeed) with optional header name/value pairs. */
  public static WsTestClient connect(HttpClient http, URI uri, String... headers) throws Exception {
    return new WsTestClient(http, uri, false, headers);
  }

  /** Connects a client that never reads. */
  public static WsTestClient connectPaused(HttpClient http, URI uri) throws Exception {
    return new WsTestClient(http, uri, true);
  }

  /** The HTTP status of a refused handshake; fails if the handshake succeeds. */
  public static int refusedStatus(HttpClient http, URI uri, String... headers) throws Exception {
    try (WsTestClient unexpected = new WsTestClient(http, uri, false, headers)) {
      throw new AssertionError("the WebSocket handshake succeeded: " + uri);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  /** Lets a paused client read from now on. */
  public void resume() {
    socket.request(Long.MAX_VALUE);
  }

  /** Messages with an {@code event} of {@code name}. */
  public List<JsonNode> named(String name) {
    return messages.stream().filter(m -> name.equals(m.path("event").asText())).toList();
  }

  /** Ids of the data events (neither control events nor heartbeats), in arrival order. */
  public List<Long> ids() {
    return data().stream().map(m -> Long.parseLong(m.get("id").asText())).toList();
  }

  /** The id of the last data event, -1 before any. */
  public long lastId() {
    List<JsonNode> data = data();
    return data.isEmpty() ? -1 : Long.parseLong(data.get(data.size() - 1).get("id").asText());
  }

  /** The data events: messages with an id that are not router resets nor a snapshot's end. */
  public List<JsonNode> data() {
    return messages.stream()
        .filter(
            m ->
                m.has("id")
                    && !"reset".equals(m.path("event").asText())
                    && !"snapshot-end".equals(m.path("event").asText()))
        .toList();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }
}
