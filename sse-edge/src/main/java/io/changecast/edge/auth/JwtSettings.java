package io.changecast.edge.auth;

import io.changecast.config.Checks;
import io.changecast.config.ConfigKeys;
import io.changecast.config.InvalidConfigException;
import io.changecast.config.LoadedConfig;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * JWT verification settings ({@code auth.mode=jwt}), read and checked at startup: secrets and key
 * files are loaded here, so a bad key stops the edge before it listens.
 *
 * <p>Keys: {@code auth.jwt.hs256-secret} or {@code auth.jwt.hs256-secret-file} (at least 32 bytes),
 * {@code auth.jwt.rs256-public-key-file} (PEM {@code PUBLIC KEY}, RSA of at least 2048 bits) or
 * {@code auth.jwt.jwks-url} (fetched and cached), {@code auth.jwt.issuer}, {@code
 * auth.jwt.audience}, {@code auth.jwt.leeway-seconds} (default 30), {@code auth.jwt.tenant-claim}
 * (default {@code tenant}), {@code auth.jwt.scope-claim} (default {@code scope}), defined with
 * their rules by {@link #define}. At least one key source is required; HS256 is accepted only with
 * a secret, RS256 only with a key or JWKS. An empty value of an optional key is "not set".
 *
 * @param hs256Secret the HMAC secret; never printed by {@link #toString()}
 */
public record JwtSettings(
    Optional<byte[]> hs256Secret,
    Optional<RSAPublicKey> rs256PublicKey,
    Optional<URL> jwksUrl,
    Optional<String> issuer,
    Optional<String> audience,
    Duration leeway,
    String tenantClaim,
    String scopeClaim) {

  public static final String PREFIX = "auth.jwt.";
  public static final String HS256_SECRET_KEY = "auth.jwt.hs256-secret";
  public static final String HS256_SECRET_FILE_KEY = "auth.jwt.hs256-secret-file";
  public static final String RS256_PUBLIC_KEY_FILE_KEY = "auth.jwt.rs256-public-key-file";
  public static final String JWKS_URL_KEY = "auth.jwt.jwks-url";
  public static final String ISSUER_KEY = "auth.jwt.issuer";
  public static final String AUDIENCE_KEY = "auth.jwt.audience";
  public static final String LEEWAY_SECONDS_KEY = "auth.jwt.leeway-seconds";
  public static final String TENANT_CLAIM_KEY = "auth.jwt.tenant-claim";
  public static final String SCOPE_CLAIM_KEY = "auth.jwt.scope-claim";

  public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);
  public static final Duration MAX_LEEWAY = Duration.ofMinutes(5);
  public static final String DEFAULT_TENANT_CLAIM = "tenant";
  public static final String DEFAULT_SCOPE_CLAIM = "scope";

  /** HS256 needs a key at least as long as the hash (RFC 7518, section 3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  public static final int MIN_RSA_BITS = 2048;

  /** Every {@code auth.jwt.*} key. */
  public static final List<String> KEYS =
      List.copyOf(define(new ConfigKeys()).definition().names());

  public JwtSettings {
    Objects.requireNonNull(hs256Secret, HS256_SECRET_KEY);
    hs256Secret = hs256Secret.map(byte[]::clone);
    Objects.requireNonNull(rs256PublicKey, RS256_PUBLIC_KEY_FILE_KEY);
    Objects.requireNonNull(jwksUrl, JWKS_URL_KEY);
    Objects.requireNonNull(issuer, ISSUER_KEY);
    Objects.requireNonNull(audience, AUDIENCE_KEY);
    Objects.requireNonNull(leeway, LEEWAY_SECONDS_KEY);
    Objects.requireNonNull(tenantClaim, TENANT_CLAIM_KEY);
    Objects.requireNonNull(scopeClaim, SCOPE_CLAIM_KEY);
    if (hs256Secret.isEmpty() && rs256PublicKey.isEmpty() && jwksUrl.isEmpty()) {
      throw InvalidConfigException.of(
          "edge",
          "auth.mode",
          "jwt",
          "it needs a key: set "
              + HS256_SECRET_KEY
              + " (or "
              + HS256_SECRET_FILE_KEY
              + "), "
              + RS256_PUBLIC_KEY_FILE_KEY
              + " or "
              + JWKS_URL_KEY);
    }
    if (rs256PublicKey.isPresent() && jwksUrl.isPresent()) {
      throw InvalidConfigException.of(
          "edge",
          JWKS_URL_KEY,
          jwksUrl.get(),
          "set either " + RS256_PUBLIC_KEY_FILE_KEY + " or this key, not both");
    }
    hs256Secret.ifPresent(
        secret -> {
          if (secret.length < MIN_SECRET_BYTES) {
            throw InvalidConfigException.secret(
                "edge",
                HS256_SECRET_KEY,
                "expected at least " + MIN_SECRET_BYTES + " bytes, got " + secret.length);
          }
        });
    rs256PublicKey.ifPresent(
        key -> {
          if (key.getModulus().bitLength() < MIN_RSA_BITS) {
            throw InvalidConfigException.of(
                "edge",
                RS256_PUBLIC_KEY_FILE_KEY,
                "<RSA " + key.getModulus().bitLength() + " bits>",
                "expected an RSA key of at least " + MIN_RSA_BITS + " bits");
          }
        });
  }

  /** Adds the {@code auth.jwt.*} keys, group {@code JWT}, to {@code keys}. */
  public static ConfigKeys define(ConfigKeys keys) {
    return keys.group("JWT")
        .optional(
            HS256_SECRET_KEY,
            Type.PASSWORD,
            null,
            null,
            "enables HS256; at least " + MIN_SECRET_BYTES + " bytes; never shown in messages")
        .optional(
            HS256_SECRET_FILE_KEY,
            Type.STRING,
            null,
            null,
            "the HS256 secret read from this file (its trailing newline ignored); not with"
                + " `auth.jwt.hs256-secret`")
        .optional(
            RS256_PUBLIC_KEY_FILE_KEY,
            Type.STRING,
            null,
            null,
            "enables RS256 with one PEM `PUBLIC KEY` (RSA ≥ "
                + MIN_RSA_BITS
                + " bits); `kid` ignored")
        .optional(
            JWKS_URL_KEY,
            Type.STRING,
            null,
            Checks.parses("an http(s) URL, or empty for none", JwtSettings::checkUrl),
            "enables RS256 with a JWKS, fetched on first use and cached (nimbus"
                + " `JWKSourceBuilder`: 5 min TTL, refetch on an unknown `kid` at most every 30 s);"
                + " not with `auth.jwt.rs256-public-key-file`")
        .optional(ISSUER_KEY, Type.STRING, null, null, "when set, `iss` must equal it")
        .optional(AUDIENCE_KEY, Type.STRING, null, null, "when set, `aud` must contain it")
        .optional(
            LEEWAY_SECONDS_KEY,
            Type.INT,
            (int) DEFAULT_LEEWAY.toSeconds(),
            Checks.between(0, MAX_LEEWAY.toSeconds()),
            "clock skew allowed on `exp` / `nbf`")
        .optional(
            TENANT_CLAIM_KEY,
            Type.STRING,
            DEFAULT_TENANT_CLAIM,
            Checks.nonBlank(),
            "must be a non-empty string equal to the path's tenant")
        .optional(
            SCOPE_CLAIM_KEY,
            Type.STRING,
            DEFAULT_SCOPE_CLAIM,
            Checks.nonBlank(),
            "space-separated string or array of strings");
  }

  /**
   * Reads the {@code auth.jwt.*} keys of {@code config}: present when {@code mode} is {@code jwt},
   * empty for {@code none}. Setting {@code auth.jwt.*} keys with {@code auth.mode=none} is an
   * error, so that nobody believes auth is on when it is not. Key files are read here.
   *
   * @throws InvalidConfigException naming the key, never echoing a secret
   */
  public static Optional<JwtSettings> from(AuthMode mode, LoadedConfig config) {
    if (mode == AuthMode.NONE) {
      List<String> set = KEYS.stream().filter(key -> text(config, key).isPresent()).toList();
      if (!set.isEmpty()) {
        throw config.invalid(
            set.get(0),
            "set while auth.mode is none: set auth.mode=jwt to verify tokens, or remove "
                + (set.size() == 1 ? "it" : String.join(", ", set)));
      }
      return Optional.empty();
    }
    Optional<String> inlineSecret = text(config, HS256_SECRET_KEY);
    Optional<String> secretFile = text(config, HS256_SECRET_FILE_KEY);
    if (inlineSecret.isPresent() && secretFile.isPresent()) {
      throw config.invalid(
          HS256_SECRET_FILE_KEY, "set either " + HS256_SECRET_KEY + " or this key, not both");
    }
    Optional<String> publicKeyFile = text(config, RS256_PUBLIC_KEY_FILE_KEY);
    Optional<String> jwksUrl = text(config, JWKS_URL_KEY);
    Optional<byte[]> secret =
        inlineSecret
            .or(() -> secretFile.map(file -> readSecret(config, Path.of(file))))
            .map(value -> value.getBytes(StandardCharsets.UTF_8));
    return Optional.of(
        new JwtSettings(
            secret,
            publicKeyFile.map(file -> readPublicKey(config, Path.of(file))),
            jwksUrl.map(JwtSettings::url),
            text(config, ISSUER_KEY),
            text(config, AUDIENCE_KEY),
            Duration.ofSeconds(config.getInt(LEEWAY_SECONDS_KEY)),
            config.getString(TENANT_CLAIM_KEY),
            config.getString(SCOPE_CLAIM_KEY)));
  }

  /** Reads an RSA public key from a PEM {@code -----BEGIN PUBLIC KEY-----} block. */
  public static RSAPublicKey parsePublicKeyPem(String pem) {
    int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = pem.indexOf("-----END PUBLIC KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "expected a PEM block '-----BEGIN PUBLIC KEY-----' (an X.509 SubjectPublicKeyInfo)");
    }
    String base64 =
        pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
    try {
      PublicKey key =
          KeyFactory.getInstance("RSA")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
      return (RSAPublicKey) key;
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException("not a valid RSA public key: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "JwtSettings[hs256Secret="
        + hs256Secret.map(secret -> "<" + secret.length + " bytes, redacted>").orElse("none")
        + ", rs256PublicKey="
        + rs256PublicKey
            .map(key -> "<RSA " + key.getModulus().bitLength() + " bits>")
            .orElse("none")
        + ", jwksUrl="
        + jwksUrl.map(URL::toString).orElse("none")
        + ", issuer="
        + issuer.orElse("any")
        + ", audience="
        + audience.orElse("any")
        + ", leeway="
        + leeway
        + ", tenantClaim="
        + tenantClaim
        + ", scopeClaim="
        + scopeClaim
        + "]";
  }

  /** An optional key's value; empty when not set or empty. */
  private static Optional<String> text(LoadedConfig config, String key) {
    Object value = config.originals().get(key);
    return value == null || value.toString().isBlank()
        ? Optional.empty()
        : Optional.of(value.toString().trim());
  }

  private static String readSecret(LoadedConfig config, Path file) {
    try {
      // A trailing newline is an editor's, not the secret's.
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw config.invalid(HS256_SECRET_FILE_KEY, "cannot read it: " + e);
    }
  }

  private static RSAPublicKey readPublicKey(LoadedConfig config, Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw config.invalid(RS256_PUBLIC_KEY_FILE_KEY, "cannot read it: " + e);
    }
    try {
      return parsePublicKeyPem(pem);
    } catch (IllegalArgumentException e) {
      throw config.invalid(RS256_PUBLIC_KEY_FILE_KEY, e.getMessage());
    }
  }

  private static void checkUrl(String value) {
    if (!value.isEmpty()) {
      url(value);
    }
  }

  private static URL url(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http"))) {
        throw new IllegalArgumentException("expected an http(s) URL");
      }
      return uri.toURL();
    } catch (URISyntaxException | MalformedURLException e) {
      throw new IllegalArgumentException("expected an http(s) URL: " + e.getMessage(), e);
    }
  }
}
