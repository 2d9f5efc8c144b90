package io.changecast.edge.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP requests against the edge in tests, and its JSON error bodies. */
final class TestHttp {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestHttp() {}

  /** A GET with optional header name/value pairs. */
  static HttpResponse<String> get(HttpClient http, Duration timeout, URI uri, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The response body as JSON, after checking it is declared as JSON. */
  static JsonNode json(HttpResponse<String> response) throws Exception {
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    return JSON.readTree(response.body());
  }
}
