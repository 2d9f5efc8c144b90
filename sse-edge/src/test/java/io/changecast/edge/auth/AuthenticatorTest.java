package io.changecast.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.http.EdgeServer;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The JWT attack suite and the token rules, over HTTP against a real edge server: every hostile
 * token gets the same 401, a valid one opens the stream, another tenant's is 403, streams end at
 * {@code exp}, and JWKS are fetched once and cached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticatorTest {
  static final String UNAUTHORIZED_BODY =
      "{\"error\":\"unauthorized\",\"detail\":\"a valid bearer token is required\"}";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TestTokens TOKENS = new TestTokens();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> perTest = new ArrayList<>();
  private Path keyDir;
  private EdgeServer main; // HS256 secret + RS256 static key, issuer, audience, leeway 30 s

  @BeforeAll
  void startMain() throws Exception {
    keyDir = Files.createTempDirectory("changecast-auth-test");
    Path pem = Files.writeString(keyDir.resolve("public.pem"), TOKENS.publicKeyPem());
    main =
        start(
            Map.of(
                "auth.jwt.hs256-secret", TestTokens.SECRET,
                "auth.jwt.rs256-public-key-file", pem.toString(),
                "auth.jwt.issuer", TestTokens.ISSUER,
                "auth.jwt.audience", TestTokens.AUDIENCE),
            new InMemoryEventLog(100));
  }

  @AfterAll
  void stopMain() throws Exception {
    main.close();
    try (Stream<Path> files = Files.list(keyDir)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(keyDir);
  }

  @AfterEach
  void closePerTest() throws Exception {
    for (AutoCloseable closeable : perTest) {
      closeable.close();
    }
    perTest.clear();
  }

  private static EdgeServer start(Map<String, String> auth, InMemoryEventLog log) {
    Map<String, String> values = new HashMap<>(auth);
    values.put("bootstrap.servers", "unused:9092");
    values.put("http.port", "0");
    values.put("auth.mode", "jwt");
    return EdgeServer.start(
        EdgeConfig.fromMap(values), log, Readiness.Ready::new, new EdgeMetrics());
  }

  private EdgeServer startPerTest(Map<String, String> auth) {
    EdgeServer server = start(auth, new InMemoryEventLog(100));
    perTest.add(server);
    return server;
  }

  /** A response: status, headers, and the body unless it is an event stream (then closed). */
  record Reply(int status, HttpResponse<InputStream> response, String body) {
    boolean streamOpened() {
      return status == 200
          && response
              .headers()
              .firstValue("Content-Type")
              .orElse("")
              .startsWith("text/event-stream");
    }
  }

  private Reply get(EdgeServer server, String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .timeout(WAIT);
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<InputStream> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event")) {
        return new Reply(response.statusCode(), response, null); // close the stream at once
      }
      return new Reply(
          response.statusCode(), response, new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private Reply bearer(EdgeServer server, String tenant, String token) throws Exception {
    return get(server, "/v1/tenants/" + tenant + "/events", "Authorization", "Bearer " + token);
  }

  private static void assertUnauthorized(Reply reply) {
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.body()).isEqualTo(UNAUTHORIZED_BODY);
    assertThat(reply.response().headers().allValues("WWW-Authenticate")).containsExactly("Bearer");
  }

  static Stream<Arguments> attacks() throws Exception {
    JWTClaimsSet valid = TestTokens.claims("acme").build();
    String validRs = TOKENS.rs256("acme");
    String validSignature = validRs.substring(validRs.lastIndexOf('.') + 1);
    RSAKey attacker =
        TestTokens.header(JWSAlgorithm.RS256).build() == null ? null : TOKENS.otherRsa;
    Instant now = Instant.now();
    return Stream.of(
        Arguments.of("alg none", TestTokens.raw("{\"alg\":\"none\"}", valid, "")),
        Arguments.of("alg NONE", TestTokens.raw("{\"alg\":\"NONE\",\"typ\":\"JWT\"}", valid, "")),
        Arguments.of(
            "alg nOnE with a real signature",
            TestTokens.raw("{\"alg\":\"nOnE\"}", valid, validSignature)),
        Arguments.of(
            "HS256 signed with the RS public key (PEM)",
            TestTokens.sign(
                TestTokens.header(JWSAlgorithm.HS256).build(),
                valid,
                TOKENS.publicKeyPem().getBytes(StandardCharsets.US_ASCII))),
        Arguments.of(
            "HS256 signed with the RS public key (DER)",
            TestTokens.sign(
                TestTokens.header(JWSAlgorithm.HS256).build(),
                valid,
                TOKENS.rsa.toRSAPublicKey().getEncoded())),
        Arguments.of(
            "HS256 with the wrong secret",
            TestTokens.sign(
                TestTokens.header(JWSAlgorithm.HS256).build(),
                valid,
                "another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8))),
        Arguments.of(
            "RS256 with the wrong key",
            TestTokens.rs256(TestTokens.header(JWSAlgorithm.RS256).build(), valid, attacker)),
        Arguments.of("RS256 with one flipped signature bit", TestTokens.flipSignatureBit(validRs)),
        Arguments.of(
            "HS256 with one flipped signature bit",
            TestTokens.flipSignatureBit(TOKENS.hs256("acme"))),
        Arguments.of(
            "RS384 (not configured)",
            TestTokens.rs256(TestTokens.header(JWSAlgorithm.RS384).build(), valid, TOKENS.rsa)),
        Arguments.of(
            "expired beyond the leeway",
            TOKENS.hs256(
                TestTokens.with("acme", c -> c.expirationTime(Date.from(now.minusSeconds(60)))))),
        Arguments.of("no exp", TOKENS.hs256(TestTokens.with("acme", c -> c.expirationTime(null)))),
        Arguments.of(
            "nbf in the future",
            TOKENS.hs256(
                TestTokens.with("acme", c -> c.notBeforeTime(Date.from(now.plusSeconds(120)))))),
        Arguments.of(
            "wrong iss", TOKENS.hs256(TestTokens.with("acme", c -> c.issuer("https://evil.test")))),
        Arguments.of("no iss", TOKENS.hs256(TestTokens.with("acme", c -> c.issuer(null)))),
        Arguments.of("wrong aud", TOKENS.hs256(TestTokens.with("acme", c -> c.audience("other")))),
        Arguments.of(
            "no aud", TOKENS.hs256(TestTokens.with("acme", c -> c.audience((String) null)))),
        Arguments.of(
            "kid with a path",
            TOKENS.rs256(
                TestTokens.header(JWSAlgorithm.RS256).keyID("../../../../etc/passwd").build(),
                valid)),
        Arguments.of(
            "kid with SQL injection",
            TOKENS.rs256(
                TestTokens.header(JWSAlgorithm.RS256).keyID("key-1' OR '1'='1").build(), valid)),
        Arguments.of(
            "kid with shell injection",
            TOKENS.rs256(
                TestTokens.header(JWSAlgorithm.RS256).keyID("key-1;rm -rf /|x").build(), valid)),
        Arguments.of(
            "jku header",
            TOKENS.rs256(
                TestTokens.header(JWSAlgorithm.RS256)
                    .jwkURL(URI.create("http://127.0.0.1:9/jwks.json"))
                    .build(),
                valid)),
        Arguments.of(
            "x5u header",
            TOKENS.rs256(
                TestTokens.header(JWSAlgorithm.RS256)
                    .x509CertURL(URI.create("http://127.0.0.1:9/cert.pem"))
                    .build(),
                valid)),
        Arguments.of(
            "embedded jwk of the attacker's key",
            TestTokens.rs256(
                TestTokens.header(JWSAlgorithm.RS256).jwk(attacker.toPublicJWK()).build(),
                valid,
                attacker)),
        Arguments.of(
            "x5c header",
            TOKENS.rs256(
                TestTokens.header(JWSAlgorithm.RS256)
                    .x509CertChain(List.of(Base64.encode("not a certificate")))
                    .build(),
                valid)),
        Arguments.of(
            "tenant claim missing",
            TOKENS.hs256(TestTokens.with("acme", c -> c.claim("tenant", null)))),
        Arguments.of("tenant claim empty", TOKENS.hs256(TestTokens.with("", c -> c))),
        Arguments.of("tenant claim blank", TOKENS.hs256(TestTokens.with("  ", c -> c))),
        Arguments.of(
            "tenant claim an array",
            TOKENS.hs256(TestTokens.with("acme", c -> c.claim("tenant", List.of("acme"))))),
        Arguments.of(
            "tenant claim a number",
            TOKENS.hs256(TestTokens.with("acme", c -> c.claim("tenant", 7)))),
        Arguments.of(
            "16 KB token, validly signed",
            TOKENS.hs256(TestTokens.with("acme", c -> c.claim("pad", "x".repeat(16 * 1024))))),
        Arguments.of("garbage", "not-a-jwt"),
        Arguments.of(
            "two parts", Base64URL.encode("{\"alg\":\"HS256\"}") + "." + Base64URL.encode("{}")),
        Arguments.of(
            "JWE-shaped (five parts)", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..aaaa.bbbb.cccc"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void everyHostileTokenGetsTheSame401(String name, String token) throws Exception {
    assertUnauthorized(bearer(main, "acme", token));
    assertUnauthorized(get(main, "/v1/tenants/acme/events?access_token=" + token));
    assertUnauthorized(get(main, "/v1/tenants/acme/events", "Cookie", "changecast_token=" + token));
  }

  @Test
  void missingOrNonBearerCredentialsGetTheSame401() throws Exception {
    assertUnauthorized(get(main, "/v1/tenants/acme/events"));
    assertUnauthorized(get(main, "/v1/tenants/acme/events", "Authorization", "Bearer "));
    assertUnauthorized(get(main, "/v1/tenants/acme/events", "Authorization", "Basic YWNtZTpwdw=="));
    // A present header is the credential: no fallback to a valid query token.
    assertUnauthorized(
        get(
            main,
            "/v1/tenants/acme/events?access_token=" + TOKENS.hs256("acme"),
            "Authorization",
            "Basic YWNtZTpwdw=="));
    // Before the route's own checks: an unauthenticated caller learns nothing about the tenant id.
    assertUnauthorized(get(main, "/v1/tenants/bad%20tenant!/events"));
  }

  @Test
  void hs256SignedWithThePublicKeyIsRefusedWhenOnlyRs256IsConfigured() throws Exception {
    Path pem = Files.writeString(keyDir.resolve("rs-only.pem"), TOKENS.publicKeyPem());
    EdgeServer rsOnly = startPerTest(Map.of("auth.jwt.rs256-public-key-file", pem.toString()));
    JWTClaimsSet claims = TestTokens.claims("acme").build();
    for (byte[] secret :
        List.of(
            TOKENS.publicKeyPem().getBytes(StandardCharsets.US_ASCII),
            TOKENS.rsa.toRSAPublicKey().getEncoded(),
            TOKENS.rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
      assertUnauthorized(
          bearer(
              rsOnly,
              "acme",
              TestTokens.sign(TestTokens.header(JWSAlgorithm.HS256).build(), claims, secret)));
    }
    assertThat(bearer(rsOnly, "acme", TOKENS.rs256("acme")).streamOpened()).isTrue();
  }

  @Test
  void validTokensOpenTheStreamFromHeaderCookieOrQuery() throws Exception {
    assertThat(bearer(main, "acme", TOKENS.hs256("acme")).streamOpened()).isTrue();
    assertThat(bearer(main, "acme", TOKENS.rs256("acme")).streamOpened()).isTrue();
    assertThat(
            get(main, "/v1/tenants/acme/events", "Authorization", "bearer " + TOKENS.hs256("acme"))
                .streamOpened())
        .isTrue();
    assertThat(
            get(
                    main,
                    "/v1/tenants/acme/events",
                    "Cookie",
                    "changecast_token=" + TOKENS.rs256("acme"))
                .streamOpened())
        .isTrue();
    assertThat(
            get(main, "/v1/tenants/acme/events?access_token=" + TOKENS.hs256("acme"))
                .streamOpened())
        .isTrue();
    // Within the leeway (30 s) after exp, the token is still accepted.
    String justExpired =
        TOKENS.hs256(
            TestTokens.with(
                "acme", c -> c.expirationTime(Date.from(Instant.now().minusSeconds(5)))));
    assertThat(bearer(main, "acme", justExpired).streamOpened()).isTrue();
  }

  @Test
  void anotherTenantsTokenIsForbidden() throws Exception {
    Reply reply = bearer(main, "globex", TOKENS.hs256("acme"));
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.body()).startsWith("{\"error\":\"forbidden\",\"detail\":");
    assertThat(reply.response().headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(bearer(main, "acme", TOKENS.rs256("globex")).status()).isEqualTo(403);
    // A prefix or a case variant of the tenant is another tenant.
    assertThat(bearer(main, "acme", TOKENS.hs256("acm")).status()).isEqualTo(403);
    assertThat(bearer(main, "ACME", TOKENS.hs256("acme")).status()).isEqualTo(403);
  }

  @Test
  void headerWinsOverCookieWhichWinsOverQuery() throws Exception {
    String acme = TOKENS.hs256("acme");
    String globex = TOKENS.hs256("globex");
    String path = "/v1/tenants/acme/events";
    assertThat(
            get(
                    main,
                    path + "?access_token=" + acme,
                    "Authorization",
                    "Bearer " + globex,
                    "Cookie",
                    "changecast_token=" + acme)
                .status())
        .isEqualTo(403);
    assertThat(
            get(
                    main,
                    path + "?access_token=" + globex,
                    "Authorization",
                    "Bearer " + acme,
                    "Cookie",
                    "changecast_token=" + globex)
                .streamOpened())
        .isTrue();
    assertThat(
            get(main, path + "?access_token=" + acme, "Cookie", "changecast_token=" + globex)
                .status())
        .isEqualTo(403);
    assertThat(
            get(main, path + "?access_token=" + globex, "Cookie", "changecast_token=" + acme)
                .streamOpened())
        .isTrue();
  }

  @Test
  void theStreamEndsWhenTheTokenExpires() throws Exception {
    InMemoryEventLog log = new InMemoryEventLog(100);
    EdgeServer server =
        start(
            Map.of("auth.jwt.hs256-secret", TestTokens.SECRET, "auth.jwt.leeway-seconds", "0"),
            log);
    perTest.add(server);
    Instant exp = Instant.now().plusSeconds(3);
    String token =
        TestTokens.sign(
            TestTokens.header(JWSAlgorithm.HS256).build(),
            new JWTClaimsSet.Builder()
                .claim("tenant", "acme")
                .expirationTime(Date.from(exp))
                .build(),
            TestTokens.SECRET.getBytes(StandardCharsets.UTF_8));
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/tenants/acme/events"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<Void> ended =
        CompletableFuture.runAsync(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(
                      new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                lines.add("error: " + e);
              }
            });
    await().atMost(WAIT).until(() -> server.openStreams() == 1);
    log.append(new Event("acme", 1, "{\"id\":\"1\",\"tenant\":\"acme\"}"));
    await().atMost(WAIT).until(() -> lines.contains("id: 1")); // the stream was live
    await().atMost(WAIT).until(ended::isDone);
    assertThat(Instant.now()).isAfterOrEqualTo(exp.minusSeconds(1)); // ended by exp, not earlier
    assertThat(lines).first().asString().startsWith("retry:");
    assertThat(lines).noneMatch(line -> line.startsWith("error"));
    await().atMost(WAIT).until(() -> server.openStreams() == 0);
    assertThat(log.subscriberCount()).isZero();
  }

  @Test
  void jwksIsFetchedOnceAndCachedAndKidOnlySelectsAKey() throws Exception {
    AtomicInteger fetches = new AtomicInteger();
    HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body =
        new JWKSet(List.of(TOKENS.rsa.toPublicJWK())).toString().getBytes(StandardCharsets.UTF_8);
    jwks.createContext(
        "/jwks.json",
        exchange -> {
          fetches.incrementAndGet();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    jwks.start();
    perTest.add(() -> jwks.stop(0));
    EdgeServer server =
        startPerTest(
            Map.of(
                "auth.jwt.jwks-url",
                "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json"));
    for (int request = 0; request < 5; request++) {
      assertThat(bearer(server, "acme", TOKENS.rs256("acme")).streamOpened()).isTrue();
    }
    assertThat(bearer(server, "globex", TOKENS.rs256("acme")).status()).isEqualTo(403);
    JWTClaimsSet claims = TestTokens.claims("acme").build();
    for (String kid : List.of("../../etc/passwd", "key-1\" OR \"1\"=\"1", "key-1\u0000", "$(id)")) {
      assertUnauthorized(
          bearer(
              server,
              "acme",
              TOKENS.rs256(TestTokens.header(JWSAlgorithm.RS256).keyID(kid).build(), claims)));
    }
    // HS256 is not configured here: refused even when signed with the JWKS's public key.
    assertUnauthorized(
        bearer(
            server,
            "acme",
            TestTokens.sign(
                TestTokens.header(JWSAlgorithm.HS256).build(),
                claims,
                TOKENS.rsa.toRSAPublicKey().getEncoded())));
    assertThat(fetches).hasValue(1);
  }

  @Test
  void tokensNeverReachTheLogs() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger changecast = (Logger) LoggerFactory.getLogger("io.changecast");
    Level previous = changecast.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    changecast.setLevel(Level.DEBUG);
    List<String> tokens =
        List.of(
            TOKENS.hs256("acme"),
            TOKENS.flipSignatureBit(TOKENS.hs256("acme")),
            TOKENS.hs256("globex"),
            TOKENS.hs256(TestTokens.with("acme", c -> c.issuer("https://evil.test"))));
    try {
      for (String token : tokens) {
        get(main, "/v1/tenants/acme/events?types=x&access_token=" + token);
        get(main, "/v1/tenants/acme/events?access%5Ftoken=" + token);
        bearer(main, "acme", token);
        get(main, "/v1/tenants/acme/events", "Cookie", "changecast_token=" + token);
      }
      await()
          .atMost(WAIT)
          .until(
              () ->
                  appender.list.stream()
                      .anyMatch(
                          event ->
                              event.getFormattedMessage().contains("access_token=[redacted]")
                                  && event.getFormattedMessage().contains(" 401 ")));
    } finally {
      root.detachAppender(appender);
      changecast.setLevel(previous);
    }
    List<String> logged =
        appender.list.stream()
            .map(event -> event.getFormattedMessage() + " " + event.getThrowableProxy())
            .toList();
    assertThat(logged).isNotEmpty();
    for (String token : tokens) {
      String signature = token.substring(token.lastIndexOf('.') + 1);
      assertThat(logged).noneMatch(line -> line.contains(token) || line.contains(signature));
    }
  }
}
