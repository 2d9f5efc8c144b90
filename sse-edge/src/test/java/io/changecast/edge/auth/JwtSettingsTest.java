package io.changecast.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.edge.config.EdgeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code auth.*} configuration: checked at startup with messages naming the key. */
class JwtSettingsTest {
  private static final TestTokens TOKENS = new TestTokens();

  @TempDir Path dir;

  private static EdgeConfig config(Map<String, String> auth) {
    Map<String, String> values = new HashMap<>(auth);
    values.put("bootstrap.servers", "unused:9092");
    return EdgeConfig.fromMap(values);
  }

  @Test
  void jwtModeWithDefaults() {
    EdgeConfig config =
        config(Map.of("auth.mode", "jwt", "auth.jwt.hs256-secret", TestTokens.SECRET));
    assertThat(config.authMode()).isEqualTo(AuthMode.JWT);
    JwtSettings jwt = config.jwt().orElseThrow();
    assertThat(jwt.leeway()).isEqualTo(Duration.ofSeconds(30));
    assertThat(jwt.tenantClaim()).isEqualTo("tenant");
    assertThat(jwt.scopeClaim()).isEqualTo("scope");
    assertThat(jwt.issuer()).isEmpty();
    assertThat(config.toString()).doesNotContain(TestTokens.SECRET).contains("redacted");
  }

  @Test
  void noneModeHasNoJwtSettingsAndRefusesJwtKeys() {
    assertThat(config(Map.of()).jwt()).isEmpty();
    assertThatThrownBy(() -> config(Map.of("auth.jwt.hs256-secret", TestTokens.SECRET)))
        .hasMessage(
            "Invalid edge config 'auth.jwt.hs256-secret': [hidden]; set while auth.mode is none:"
                + " set auth.mode=jwt to verify tokens, or remove it")
        .hasMessageNotContaining(TestTokens.SECRET);
  }

  @Test
  void jwtModeWithoutAKeyIsAnError() {
    assertThatThrownBy(() -> config(Map.of("auth.mode", "jwt", "auth.jwt.issuer", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid edge config 'auth.mode': 'jwt'; it needs a key")
        .hasMessageContaining("auth.jwt.jwks-url");
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertThatThrownBy(
            () -> config(Map.of("auth.mode", "jwt", "auth.jwt.hs256-secret", "too-short")))
        .hasMessage(
            "Invalid edge config 'auth.jwt.hs256-secret': [hidden]; expected at least 32 bytes,"
                + " got 9")
        .hasMessageNotContaining("too-short");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "auth.mode", "jwt",
                        "auth.jwt.hs256-secret", TestTokens.SECRET,
                        "auth.jwt.leeway-seconds", "-1")))
        .hasMessage(
            "Invalid edge config 'auth.jwt.leeway-seconds': '-1'; expected a number from 0 to 300");
    assertThatThrownBy(
            () -> config(Map.of("auth.mode", "jwt", "auth.jwt.jwks-url", "file:///etc/jwks.json")))
        .hasMessage(
            "Invalid edge config 'auth.jwt.jwks-url': 'file:///etc/jwks.json'; expected an http(s)"
                + " URL");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "auth.mode",
                        "jwt",
                        "auth.jwt.rs256-public-key-file",
                        dir.resolve("missing.pem").toString())))
        .hasMessageContaining("auth.jwt.rs256-public-key-file")
        .hasMessageContaining("cannot read");
    assertThatThrownBy(() -> config(Map.of("auth.mode", "jwt", "auth.jwt.secret", "x")))
        .hasMessageStartingWith("Unknown edge config key 'auth.jwt.secret'; known keys:");
    assertThatThrownBy(() -> config(Map.of("auth.mode", "oauth")))
        .hasMessage("Invalid edge config 'auth.mode': 'oauth'; expected none or jwt");
  }

  @Test
  void keyFilesAreReadAtStartup() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret"), TestTokens.SECRET + "\n");
    Path pem = Files.writeString(dir.resolve("key.pem"), TOKENS.publicKeyPem());
    EdgeConfig config =
        config(
            Map.of(
                "auth.mode", "jwt",
                "auth.jwt.hs256-secret-file", secret.toString(),
                "auth.jwt.rs256-public-key-file", pem.toString()));
    JwtSettings jwt = config.jwt().orElseThrow();
    assertThat(new String(jwt.hs256Secret().orElseThrow())).isEqualTo(TestTokens.SECRET);
    assertThat(jwt.rs256PublicKey()).contains(TOKENS.rsa.toRSAPublicKey());

    Path notAKey =
        Files.writeString(
            dir.resolve("bad.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "auth.mode", "jwt", "auth.jwt.rs256-public-key-file", notAKey.toString())))
        .hasMessageContaining("not a valid RSA public key");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "auth.mode",
                        "jwt",
                        "auth.jwt.hs256-secret",
                        TestTokens.SECRET,
                        "auth.jwt.hs256-secret-file",
                        secret.toString())))
        .hasMessageContaining("not both");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "auth.mode", "jwt",
                        "auth.jwt.rs256-public-key-file", pem.toString(),
                        "auth.jwt.jwks-url", "https://issuer.test/jwks.json")))
        .hasMessageContaining("not both");
  }

  @Test
  void environmentVariablesSetJwtKeys() {
    EdgeConfig config =
        EdgeConfig.load(
            Optional.empty(),
            Map.of(
                "CHANGECAST_EDGE_BOOTSTRAP_SERVERS", "unused:9092",
                "CHANGECAST_EDGE_AUTH_MODE", "jwt",
                "CHANGECAST_EDGE_AUTH_JWT_HS256_SECRET", TestTokens.SECRET,
                "CHANGECAST_EDGE_AUTH_JWT_TENANT_CLAIM", "org_id",
                "CHANGECAST_EDGE_AUTH_JWT_LEEWAY_SECONDS", "5"));
    assertThat(config.jwt().orElseThrow().tenantClaim()).isEqualTo("org_id");
    assertThat(config.jwt().orElseThrow().leeway()).isEqualTo(Duration.ofSeconds(5));
  }
}
