package io.changecast.edge.auth;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * JWT verification settings ({@code auth.mode=jwt}), read and checked at startup: secrets and key
 * files are loaded here, so a bad key stops the edge before it listens.
 *
 * <p>Keys: {@code auth.jwt.hs256-secret} or {@code auth.jwt.hs256-secret-file} (at least 32 bytes),
 * {@code auth.jwt.rs256-public-key-file} (PEM {@code PUBLIC KEY}, RSA of at least 2048 bits) or
 * {@code auth.jwt.jwks-url} (fetched and cached), {@code auth.jwt.issuer}, {@code
 * auth.jwt.audience}, {@code auth.jwt.leeway-seconds} (default 30), {@code auth.jwt.tenant-claim}
 * (default {@code tenant}), {@code auth.jwt.scope-claim} (default {@code scope}). At least one key
 * source is required; HS256 is accepted only with a secret, RS256 only with a key or JWKS.
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
      List.of(
          HS256_SECRET_KEY,
          HS256_SECRET_FILE_KEY,
          RS256_PUBLIC_KEY_FILE_KEY,
          JWKS_URL_KEY,
          ISSUER_KEY,
          AUDIENCE_KEY,
          LEEWAY_SECONDS_KEY,
          TENANT_CLAIM_KEY,
          SCOPE_CLAIM_KEY);

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
      throw new IllegalArgumentException(
          "auth.mode=jwt needs a key: set "
              + HS256_SECRET_KEY
              + " (or "
              + HS256_SECRET_FILE_KEY
              + "), "
              + RS256_PUBLIC_KEY_FILE_KEY
              + " or "
              + JWKS_URL_KEY);
    }
    if (rs256PublicKey.isPresent() && jwksUrl.isPresent()) {
      throw new IllegalArgumentException(
          "Set either " + RS256_PUBLIC_KEY_FILE_KEY + " or " + JWKS_URL_KEY + ", not both");
    }
    hs256Secret.ifPresent(
        secret -> {
          if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                HS256_SECRET_KEY
                    + ": the HS256 secret must be at least "
                    + MIN_SECRET_BYTES
                    + " bytes, got "
                    + secret.length);
          }
        });
    rs256PublicKey.ifPresent(
        key -> {
          if (key.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException(
                RS256_PUBLIC_KEY_FILE_KEY
                    + ": the RSA key must have at least "
                    + MIN_RSA_BITS
                    + " bits, got "
                    + key.getModulus().bitLength());
          }
        });
    if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
      throw new IllegalArgumentException(
          LEEWAY_SECONDS_KEY + ": expected 0 to " + MAX_LEEWAY.toSeconds() + ", got " + leeway);
    }
    if (tenantClaim.isBlank()) {
      throw new IllegalArgumentException(TENANT_CLAIM_KEY + " must not be blank");
    }
    if (scopeClaim.isBlank()) {
      throw new IllegalArgumentException(SCOPE_CLAIM_KEY + " must not be blank");
    }
  }

  /**
   * Reads the {@code auth.jwt.*} keys of {@code values} (a blank value counts as absent): present
   * when {@code mode} is {@code jwt}, empty for {@code none}. Setting {@code auth.jwt.*} keys with
   * {@code auth.mode=none} is an error, so that nobody believes auth is on when it is not.
   *
   * @throws IllegalArgumentException naming the key, never echoing a secret
   */
  public static Optional<JwtSettings> fromMap(AuthMode mode, Map<String, String> values) {
    if (mode == AuthMode.NONE) {
      List<String> set = new ArrayList<>();
      KEYS.forEach(key -> text(values, key).ifPresent(value -> set.add(key)));
      if (!set.isEmpty()) {
        throw new IllegalArgumentException(
            set + " set but auth.mode is none: set auth.mode=jwt to verify tokens");
      }
      return Optional.empty();
    }
    Optional<String> inlineSecret = text(values, HS256_SECRET_KEY);
    Optional<String> secretFile = text(values, HS256_SECRET_FILE_KEY);
    if (inlineSecret.isPresent() && secretFile.isPresent()) {
      throw new IllegalArgumentException(
          "Set either " + HS256_SECRET_KEY + " or " + HS256_SECRET_FILE_KEY + ", not both");
    }
    Optional<byte[]> secret =
        inlineSecret
            .or(() -> secretFile.map(file -> readSecret(Path.of(file))))
            .map(value -> value.getBytes(StandardCharsets.UTF_8));
    return Optional.of(
        new JwtSettings(
            secret,
            text(values, RS256_PUBLIC_KEY_FILE_KEY).map(file -> readPublicKey(Path.of(file))),
            text(values, JWKS_URL_KEY).map(JwtSettings::url),
            text(values, ISSUER_KEY),
            text(values, AUDIENCE_KEY),
            Duration.ofSeconds(leewaySeconds(values)),
            text(values, TENANT_CLAIM_KEY).orElse(DEFAULT_TENANT_CLAIM),
            text(values, SCOPE_CLAIM_KEY).orElse(DEFAULT_SCOPE_CLAIM)));
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

  private static Optional<String> text(Map<String, String> values, String key) {
    String value = values.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static long leewaySeconds(Map<String, String> values) {
    Optional<String> value = text(values, LEEWAY_SECONDS_KEY);
    if (value.isEmpty()) {
      return DEFAULT_LEEWAY.toSeconds();
    }
    try {
      long seconds = Long.parseLong(value.get());
      if (seconds >= 0 && seconds <= MAX_LEEWAY.toSeconds()) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        LEEWAY_SECONDS_KEY
            + ": expected an integer from 0 to "
            + MAX_LEEWAY.toSeconds()
            + ", got '"
            + value.get()
            + "'");
  }

  private static String readSecret(Path file) {
    try {
      // A trailing newline is an editor's, not the secret's.
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          HS256_SECRET_FILE_KEY + ": cannot read " + file + ": " + e, e);
    }
  }

  private static RSAPublicKey readPublicKey(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          RS256_PUBLIC_KEY_FILE_KEY + ": cannot read " + file + ": " + e, e);
    }
    try {
      return parsePublicKeyPem(pem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          RS256_PUBLIC_KEY_FILE_KEY + ": " + file + ": " + e.getMessage(), e);
    }
  }

  private static URL url(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
      if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http"))) {
        throw new IllegalArgumentException(
            JWKS_URL_KEY + ": expected an http(s) URL, got '" + value + "'");
      }
      return uri.toURL();
    } catch (URISyntaxException | MalformedURLException e) {
      throw new IllegalArgumentException(
          JWKS_URL_KEY + ": not a valid URL '" + value + "': " + e.getMessage(), e);
    }
  }
}
