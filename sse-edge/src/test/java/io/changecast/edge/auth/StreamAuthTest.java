package io.changecast.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jwt.JWTClaimsSet;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.http.EdgeServer;
import io.changecast.edge.internal.http.WsTestClient;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Auth on the WebSocket endpoint (same 401 body, 403, token sources, end at {@code exp}, cookie
 * origin check) and the per-token stream cap over SSE and WebSocket together.
 */
class StreamAuthTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TestTokens TOKENS = new TestTokens();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private InMemoryEventLog log;
  private EdgeMetrics metrics;
  private EdgeServer server;

  @BeforeEach
  void start() {
    log = new InMemoryEventLog(100);
    metrics = new EdgeMetrics();
    Map<String, String> values = new HashMap<>();
    values.put("bootstrap.servers", "unused:9092");
    values.put("http.port", "0");
    values.put("auth.mode", "jwt");
    values.put("auth.jwt.hs256-secret", TestTokens.SECRET);
    values.put("auth.jwt.leeway-seconds", "0");
    values.put("sse.max-streams-per-token", "2");
    server = EdgeServer.start(EdgeConfig.fromMap(values), log, Readiness.Ready::new, metrics);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    server.close();
  }

  private URI ws(String tenant, String query) {
    return URI.create("ws://127.0.0.1:" + server.port() + "/v1/tenants/" + tenant + "/ws" + query);
  }

  private URI sseUri(String tenant) {
    return URI.create("http://127.0.0.1:" + server.port() + "/v1/tenants/" + tenant + "/events");
  }

  private WsTestClient client(URI uri, String... headers) throws Exception {
    WsTestClient client = WsTestClient.connect(http, uri, headers);
    toClose.add(client);
    return client;
  }

  /** A GET that Javalin treats as a WebSocket upgrade, to read the body of a refusal. */
  private HttpResponse<String> upgradeRequest(String tenant, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/v1/tenants/" + tenant + "/ws"))
            .timeout(WAIT)
            .header("Sec-WebSocket-Version", "13");
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An SSE GET whose response is closed at once; returns the status. */
  private int sseStatus(String tenant, String token) throws Exception {
    HttpResponse<java.io.InputStream> response =
        http.send(
            HttpRequest.newBuilder(sseUri(tenant))
                .timeout(WAIT)
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() == 200) {
      toClose.add(response.body()); // keep the stream open until the test ends
    } else {
      response.body().close();
    }
    return response.statusCode();
  }

  private static String token(String tenant, String jti) {
    return TOKENS.hs256(TestTokens.with(tenant, claims -> claims.jwtID(jti)));
  }

  @Test
  void noOrBadTokensGetTheSame401AndAnotherTenantGets403BeforeTheUpgrade() throws Exception {
    for (String[] headers :
        List.of(
            new String[0],
            new String[] {"Authorization", "Bearer not-a-jwt"},
            new String[] {
              "Authorization", "Bearer " + TestTokens.flipSignatureBit(token("acme", "a"))
            },
            new String[] {"Authorization", "Basic dXNlcjpwYXNz"})) {
      assertThat(WsTestClient.refusedStatus(http, ws("acme", ""), headers)).isEqualTo(401);
      HttpResponse<String> refused = upgradeRequest("acme", headers);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).isEqualTo(AuthenticatorTest.UNAUTHORIZED_BODY);
      assertThat(refused.headers().allValues("WWW-Authenticate")).containsExactly("Bearer");
    }
    String globex = token("globex", "g");
    assertThat(
            WsTestClient.refusedStatus(http, ws("acme", ""), "Authorization", "Bearer " + globex))
        .isEqualTo(403);
    HttpResponse<String> forbidden = upgradeRequest("acme", "Authorization", "Bearer " + globex);
    assertThat(forbidden.body()).contains("\"error\":\"forbidden\"");
    assertThat(server.openStreams()).isZero();
    assertThat(log.subscriberCount()).isZero();
  }

  @Test
  void validTokensFromHeaderCookieOrQueryOpenTheStream() throws Exception {
    String token = token("acme", "one");
    String query = "?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    WsTestClient header = client(ws("acme", ""), "Authorization", "Bearer " + token);
    WsTestClient cookie =
        client(ws("acme", ""), "Cookie", Authenticator.COOKIE + "=" + token("acme", "two"));
    WsTestClient inQuery = client(ws("acme", query));
    await().atMost(WAIT).until(() -> log.subscriberCount() == 3);
    log.append(new Event("acme", 1, "{\"id\":\"1\",\"tenant\":\"acme\",\"type\":\"t\"}"));
    for (WsTestClient client : List.of(header, cookie, inQuery)) {
      await().atMost(WAIT).until(() -> client.lastId() == 1);
    }
  }

  @Test
  void aCookieTokenFromAForeignPageIsRefused() throws Exception {
    String cookie = Authenticator.COOKIE + "=" + token("acme", "c");
    HttpResponse<String> foreign =
        upgradeRequest("acme", "Cookie", cookie, "Origin", "https://evil.example");
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.body()).contains("\"error\":\"origin_not_allowed\"");
    String own = "http://127.0.0.1:" + server.port();
    client(ws("acme", ""), "Cookie", cookie, "Origin", own); // the edge's own pages may
    await().atMost(WAIT).until(() -> server.openStreams() == 1);
  }

  @Test
  void theSocketClosesWithPolicyViolationWhenTheTokenExpires() throws Exception {
    Instant exp = Instant.now().plusSeconds(3);
    String token =
        TOKENS.hs256(
            new JWTClaimsSet.Builder()
                .claim("tenant", "acme")
                .expirationTime(Date.from(exp))
                .build());
    WsTestClient client = client(ws("acme", ""), "Authorization", "Bearer " + token);
    await().atMost(WAIT).until(() -> server.openStreams() == 1);
    assertThat(client.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(Instant.now()).isAfterOrEqualTo(exp.minusSeconds(1)); // ended by exp, not earlier
    await().atMost(WAIT).until(() -> server.openStreams() == 0);
    assertThat(log.subscriberCount()).isZero();
  }

  @Test
  void oneTokenMayHoldAtMostTheCapOfStreamsOverBothTransports() throws Exception {
    String token = token("acme", "capped");
    assertThat(sseStatus("acme", token)).isEqualTo(200);
    client(ws("acme", ""), "Authorization", "Bearer " + token);
    await().atMost(WAIT).until(() -> server.openStreams() == 2);

    assertThat(sseStatus("acme", token)).isEqualTo(429);
    HttpResponse<String> refused = upgradeRequest("acme", "Authorization", "Bearer " + token);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body())
        .contains("\"error\":\"too_many_streams\"")
        .doesNotContain(token)
        .doesNotContain("capped");

    // Another token of the same tenant (another jti), and a token without jti, still may.
    assertThat(sseStatus("acme", token("acme", "other"))).isEqualTo(200);
    String noJti = TOKENS.hs256("acme");
    assertThat(sseStatus("acme", noJti)).isEqualTo(200);
    assertThat(sseStatus("acme", noJti)).isEqualTo(200);
    assertThat(sseStatus("acme", noJti)).isEqualTo(429);
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_refused_total{cap=\"token\",transport=\"sse\"} 2.0")
        .contains("changecast_edge_sse_refused_total{cap=\"token\",transport=\"ws\"} 1.0");
  }
}
