package io.changecast.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a compact JWS token into a {@link Principal} with nimbus-jose-jwt. Only the algorithms
 * the configuration enables are accepted (HS256 with a secret, RS256 with a key or JWKS); headers
 * that point at keys ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}) are refused, never
 * followed; {@code kid} is only a lookup key into the configured JWKS. Thread-safe.
 */
final class JwtVerifier implements AutoCloseable {
  /** Tokens longer than this are refused before any parsing. */
  static final int MAX_TOKEN_CHARS = 8 * 1024;

  /** Key ids as JWKS publish them (base64url thumbprints, UUIDs, names); no paths, no quotes. */
  private static final Pattern KEY_ID = Pattern.compile("(?!.*\\.\\.)[A-Za-z0-9._~+=:-]{1,256}");

  private static final int JWKS_TIMEOUT_MS = 5_000;
  private static final int JWKS_SIZE_LIMIT_BYTES = 512 * 1024;

  private final JwtSettings settings;
  private final Set<JWSAlgorithm> algorithms;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final JWKSource<SecurityContext> jwks;

  JwtVerifier(JwtSettings settings) {
    this.settings = settings;
    Set<JWSAlgorithm> enabled = new HashSet<>();
    JWSKeySelector<SecurityContext> hmac = null;
    if (settings.hs256Secret().isPresent()) {
      Key secret = new SecretKeySpec(settings.hs256Secret().get(), "HmacSHA256");
      hmac = (header, context) -> List.of(secret);
      enabled.add(JWSAlgorithm.HS256);
    }
    JWSKeySelector<SecurityContext> rsa = null;
    if (settings.rs256PublicKey().isPresent()) {
      Key publicKey = settings.rs256PublicKey().get();
      rsa = (header, context) -> List.of(publicKey); // one static key: kid is irrelevant
      enabled.add(JWSAlgorithm.RS256);
      jwks = null;
    } else if (settings.jwksUrl().isPresent()) {
      jwks =
          JWKSourceBuilder.create(
                  settings.jwksUrl().get(),
                  new DefaultResourceRetriever(
                      JWKS_TIMEOUT_MS, JWKS_TIMEOUT_MS, JWKS_SIZE_LIMIT_BYTES))
              .build();
      rsa = new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, jwks); // selects by kid
      enabled.add(JWSAlgorithm.RS256);
    } else {
      jwks = null;
    }
    this.algorithms = Set.copyOf(enabled);
    JWSKeySelector<SecurityContext> hmacSelector = hmac;
    JWSKeySelector<SecurityContext> rsaSelector = rsa;
    processor.setJWSKeySelector(
        (header, context) -> {
          if (JWSAlgorithm.HS256.equals(header.getAlgorithm()) && hmacSelector != null) {
            return hmacSelector.selectJWSKeys(header, context);
          }
          if (JWSAlgorithm.RS256.equals(header.getAlgorithm()) && rsaSelector != null) {
            return rsaSelector.selectJWSKeys(header, context);
          }
          return List.of();
        });
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    Set<String> required = new LinkedHashSet<>(List.of("exp", settings.tenantClaim()));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            settings.audience().map(Set::of).orElse(null),
            settings
                .issuer()
                .map(issuer -> new JWTClaimsSet.Builder().issuer(issuer).build())
                .orElse(null),
            required,
            null);
    claims.setMaxClockSkew((int) settings.leeway().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  /** The algorithms accepted. */
  Set<JWSAlgorithm> algorithms() {
    return algorithms;
  }

  /**
   * Verifies {@code token}: size, syntax, header, signature, {@code exp}/{@code nbf} with leeway,
   * {@code iss}/{@code aud} when configured, and the tenant claim (a non-blank string).
   *
   * @throws InvalidTokenException with a reason for the operator's log (never the token)
   */
  Principal verify(String token) throws InvalidTokenException {
    if (token == null || token.isEmpty()) {
      throw new InvalidTokenException("no token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new InvalidTokenException("token longer than " + MAX_TOKEN_CHARS + " characters");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new InvalidTokenException("not a signed JWT: " + e.getMessage());
    }
    checkHeader(jwt.getHeader());
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (BadJOSEException | JOSEException e) {
      throw new InvalidTokenException(e.getMessage());
    }
    Object tenant = claims.getClaim(settings.tenantClaim());
    if (!(tenant instanceof String text) || text.isBlank()) {
      throw new InvalidTokenException(
          "tenant claim '" + settings.tenantClaim() + "' is not a non-empty string");
    }
    Instant expiresAt = claims.getExpirationTime().toInstant();
    return new Principal(
        text,
        scopes(claims.getClaim(settings.scopeClaim())),
        expiresAt,
        expiresAt.plus(settings.leeway()),
        tokenKey(text, claims.getJWTID(), token));
  }

  /** The token's identity for per-token limits: its {@code jti}, else a SHA-256 of the token. */
  static String tokenKey(String tenant, String jti, String token) {
    if (jti != null && !jti.isBlank()) {
      return "jti:" + tenant + "/" + jti;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private void checkHeader(JWSHeader header) throws InvalidTokenException {
    if (!algorithms.contains(header.getAlgorithm())) {
      throw new InvalidTokenException("algorithm " + header.getAlgorithm() + " not accepted");
    }
    if (header.getJWKURL() != null
        || header.getJWK() != null
        || header.getX509CertURL() != null
        || header.getX509CertChain() != null) {
      throw new InvalidTokenException("key-carrying header (jku, jwk, x5u or x5c) refused");
    }
    String keyId = header.getKeyID();
    if (keyId != null && !KEY_ID.matcher(keyId).matches()) {
      throw new InvalidTokenException("kid with unexpected characters");
    }
  }

  /** A space-separated string (RFC 8693 {@code scope}) or an array of strings. */
  private static Set<String> scopes(Object claim) {
    if (claim instanceof String text) {
      return Set.copyOf(
          Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList());
    }
    if (claim instanceof List<?> list) {
      Set<String> scopes = new HashSet<>();
      list.forEach(
          item -> {
            if (item instanceof String text && !text.isBlank()) {
              scopes.add(text);
            }
          });
      return scopes;
    }
    return Set.of();
  }

  @Override
  public void close() {
    if (jwks instanceof Closeable closeable) {
      try {
        closeable.close();
      } catch (IOException e) {
        // nothing left to release
      }
    }
  }
}
