package io.changecast.connector.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The few Kafka Connect REST calls the CLI makes, over {@code java.net.http}. */
public final class ConnectClient {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration RETRY_CONFLICT_FOR = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;

  public ConnectClient(String url) {
    String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.base = URI.create(trimmed);
    if (base.getScheme() == null || base.getHost() == null) {
      throw new Args.UsageException(
          "--connect: found \"" + url + "\", expected a URL like http://connect:8083");
    }
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public URI base() {
    return base;
  }

  /** An HTTP answer: status and parsed JSON body (or a text node when it was not JSON). */
  public record Response(int status, JsonNode body) {
    /** Connect's {@code message} for errors, else the body as text. */
    public String message() {
      JsonNode message = body.path("message");
      return message.isTextual() ? message.asText() : body.toString();
    }
  }

  /**
   * {@code PUT /connectors/{name}/config}: creates or updates. Retries while the worker answers 409
   * (a rebalance in progress).
   */
  public Response putConfig(String name, Map<String, String> config) throws ConnectUnreachable {
    String body;
    try {
      body = JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
    HttpRequest request =
        request(path("/connectors/", name, "/config"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build();
    long deadline = System.nanoTime() + RETRY_CONFLICT_FOR.toNanos();
    while (true) {
      Response response = send(request);
      if (response.status() != 409 || System.nanoTime() > deadline) {
        return response;
      }
      try {
        Thread.sleep(250); // the worker asks to retry after its rebalance
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return response;
      }
    }
  }

  /** {@code GET /connectors/{name}/status}. */
  public Response status(String name) throws ConnectUnreachable {
    return send(request(path("/connectors/", name, "/status")).GET().build());
  }

  /** {@code GET /connectors?expand=status}: every connector with its status. */
  public Response statuses() throws ConnectUnreachable {
    return send(request(URI.create(base + "/connectors?expand=status")).GET().build());
  }

  private URI path(String before, String name, String after) {
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return URI.create(base + before + encoded + after);
  }

  private static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json");
  }

  private Response send(HttpRequest request) throws ConnectUnreachable {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ConnectUnreachable(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectUnreachable("interrupted calling " + request.uri(), e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      body = JSON.getNodeFactory().textNode(response.body());
    }
    if (body == null || body.isMissingNode()) {
      body = JSON.getNodeFactory().textNode("");
    }
    return new Response(response.statusCode(), body);
  }

  /** The worker could not be reached at all. */
  public static final class ConnectUnreachable extends Exception {
    private static final long serialVersionUID = 1L;

    public ConnectUnreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
