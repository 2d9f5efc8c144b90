package io.changecast.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.http.EdgeServer;
import io.changecast.edge.internal.http.FakeIngestPublisher;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The write API with {@code auth.mode=jwt}: a valid token of the tenant with scope publish. */
class PublishScopeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TestTokens TOKENS = new TestTokens();
  private static final String BODY = "{\"type\":\"invoice.sent\",\"data\":{}}";

  private final HttpClient http = HttpClient.newHttpClient();
  private final FakeIngestPublisher publisher = new FakeIngestPublisher();
  private EdgeServer server;

  @BeforeEach
  void start() {
    server =
        EdgeServer.start(
            EdgeConfig.fromMap(
                Map.of(
                    "bootstrap.servers", "unused:9092",
                    "http.port", "0",
                    "auth.mode", "jwt",
                    "auth.jwt.hs256-secret", TestTokens.SECRET)),
            new InMemoryEventLog(10),
            Readiness.Ready::new,
            new EdgeMetrics(),
            publisher);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String tenant, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + server.port() + "/v1/tenants/" + tenant + "/events"))
            .timeout(WAIT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> response) throws Exception {
    JsonNode body = JSON.readTree(response.body());
    return body.get("error").asText();
  }

  @Test
  void tokenWithPublishScopeIsAccepted() throws Exception {
    HttpResponse<String> response = post("acme", TOKENS.hs256("acme"));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(publisher.published).hasSize(1);
    assertThat(publisher.published.get(0).tenant()).isEqualTo("acme");
  }

  @Test
  void scopeAsAnArrayIsAcceptedToo() throws Exception {
    String token =
        TOKENS.hs256(TestTokens.with("acme", c -> c.claim("scope", new String[] {"publish"})));
    assertThat(post("acme", token).statusCode()).isEqualTo(202);
  }

  @Test
  void tokenWithoutPublishScopeIs403() throws Exception {
    String readOnly = TOKENS.hs256(TestTokens.with("acme", c -> c.claim("scope", "read")));
    String none = TOKENS.hs256(TestTokens.with("acme", c -> c.claim("scope", null)));
    String lookalike =
        TOKENS.hs256(TestTokens.with("acme", c -> c.claim("scope", "publisher read")));

    for (String token : new String[] {readOnly, none, lookalike}) {
      HttpResponse<String> response = post("acme", token);
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(error(response)).isEqualTo("forbidden");
      assertThat(JSON.readTree(response.body()).get("detail").asText()).contains("'publish'");
    }
    assertThat(publisher.published).isEmpty();
  }

  @Test
  void missingOrInvalidTokenIs401AndAnotherTenantsTokenIs403() throws Exception {
    HttpResponse<String> missing = post("acme", null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).isEqualTo(AuthenticatorTest.UNAUTHORIZED_BODY);

    HttpResponse<String> flipped = post("acme", TestTokens.flipSignatureBit(TOKENS.hs256("acme")));
    assertThat(flipped.statusCode()).isEqualTo(401);
    assertThat(flipped.body()).isEqualTo(AuthenticatorTest.UNAUTHORIZED_BODY);

    HttpResponse<String> otherTenant = post("globex", TOKENS.hs256("acme"));
    assertThat(otherTenant.statusCode()).isEqualTo(403);
    assertThat(error(otherTenant)).isEqualTo("forbidden");

    assertThat(publisher.published).isEmpty();
  }
}
