package io.changecast.edge.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.function.UnaryOperator;

/** Mints tokens, honest and hostile, for the auth tests (and HS256 ones for other packages). */
public final class TestTokens {
  public static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  public static final String ISSUER = "https://issuer.test";
  public static final String AUDIENCE = "changecast";

  final RSAKey rsa;
  final RSAKey otherRsa;

  public TestTokens() {
    try {
      rsa = new RSAKeyGenerator(2048).keyID("key-1").generate();
      otherRsa = new RSAKeyGenerator(2048).keyID("key-1").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  String publicKeyPem() {
    try {
      return "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(rsa.toRSAPublicKey().getEncoded())
          + "\n-----END PUBLIC KEY-----\n";
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Valid claims for {@code tenant}: issuer, audience, exp in 5 minutes, scopes. */
  static JWTClaimsSet.Builder claims(String tenant) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("user-1")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)))
        .claim("tenant", tenant)
        .claim("scope", "read publish");
  }

  static JWSHeader.Builder header(JWSAlgorithm alg) {
    return new JWSHeader.Builder(alg).type(JOSEObjectType.JWT);
  }

  String hs256(JWTClaimsSet claims) {
    return sign(
        header(JWSAlgorithm.HS256).build(), claims, SECRET.getBytes(StandardCharsets.UTF_8));
  }

  public String hs256(String tenant) {
    return hs256(claims(tenant).build());
  }

  String rs256(String tenant) {
    return rs256(header(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims(tenant).build());
  }

  String rs256(JWSHeader header, JWTClaimsSet claims) {
    return rs256(header, claims, rsa);
  }

  static String rs256(JWSHeader header, JWTClaimsSet claims, RSAKey key) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sign(JWSHeader header, JWTClaimsSet claims, byte[] secret) {
    try {
      SignedJWT jwt = new SignedJWT(header, claims);
      jwt.sign(new MACSigner(secret));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token with a hand-written header and payload and the given signature part. */
  static String raw(String headerJson, JWTClaimsSet claims, String signature) {
    return Base64URL.encode(headerJson).toString()
        + "."
        + Base64URL.encode(claims.toString()).toString()
        + "."
        + signature;
  }

  /** The token with one bit of its signature flipped. */
  static String flipSignatureBit(String token) {
    int dot = token.lastIndexOf('.');
    byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    signature[signature.length / 2] ^= 0x01;
    return token.substring(0, dot + 1)
        + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
  }

  static JWTClaimsSet with(String tenant, UnaryOperator<JWTClaimsSet.Builder> change) {
    return change.apply(claims(tenant)).build();
  }
}
