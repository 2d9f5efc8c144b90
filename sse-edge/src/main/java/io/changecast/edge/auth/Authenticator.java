package io.changecast.edge.auth;

import io.changecast.edge.internal.HttpError;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates tenant routes: a before-handler that reads the bearer token, verifies it and checks
 * its tenant against the path's {@code {tenant}}, then stores the {@link Principal} on the request.
 * The token is taken from, in this order (the first present wins, there is no fallback): the {@code
 * Authorization: Bearer} header, the {@value #COOKIE} cookie, the {@value #QUERY_PARAMETER} query
 * parameter (for browser {@code EventSource}, which cannot set headers).
 *
 * <p>Every refusal of a token is the same 401 body and {@code WWW-Authenticate: Bearer}, whatever
 * the reason (the reason goes to the debug log, without the token); a valid token of another tenant
 * is 403. With {@code auth.mode=none} it lets everything through and sets no principal.
 */
public final class Authenticator implements Handler, AutoCloseable {
  /** The cookie a browser may carry the token in. */
  public static final String COOKIE = "changecast_token";

  /** The query parameter a client that cannot set headers may carry the token in. */
  public static final String QUERY_PARAMETER = "access_token";

  /** The path parameter holding the tenant. */
  public static final String TENANT_PATH_PARAMETER = "tenant";

  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final String BEARER = "Bearer ";

  private final JwtVerifier verifier; // null: authentication disabled

  private Authenticator(JwtVerifier verifier) {
    this.verifier = verifier;
  }

  /** The authenticator for a mode; {@code jwt} settings are required with {@code jwt}. */
  public static Authenticator create(AuthMode mode, Optional<JwtSettings> jwt) {
    return switch (mode) {
      case NONE -> new Authenticator(null);
      case JWT ->
          new Authenticator(
              new JwtVerifier(
                  jwt.orElseThrow(
                      () -> new IllegalArgumentException("auth.mode=jwt needs auth.jwt.* keys"))));
    };
  }

  /** Whether requests are authenticated ({@code auth.mode=jwt}). */
  public boolean enabled() {
    return verifier != null;
  }

  /**
   * Authenticates the request for the path's tenant and stores the principal (see {@link
   * Principal#of}); does nothing when authentication is disabled.
   */
  @Override
  public void handle(Context ctx) {
    if (enabled()) {
      ctx.attribute(Principal.ATTRIBUTE, authenticate(ctx, ctx.pathParam(TENANT_PATH_PARAMETER)));
    }
  }

  /**
   * Verifies the request's token for {@code tenant}; also usable from a WebSocket upgrade.
   *
   * @throws HttpError 401 {@code unauthorized} (no or invalid token), 403 {@code forbidden} (valid
   *     token of another tenant)
   * @throws IllegalStateException when authentication is disabled
   */
  public Principal authenticate(Context ctx, String tenant) {
    if (!enabled()) {
      throw new IllegalStateException("authentication is disabled (auth.mode=none)");
    }
    Principal principal;
    try {
      principal = verifier.verify(token(ctx));
    } catch (InvalidTokenException e) {
      LOG.debug("401 on {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
      ctx.header("WWW-Authenticate", "Bearer");
      throw HttpError.unauthorized("unauthorized", "a valid bearer token is required");
    }
    if (!principal.tenant().equals(tenant)) {
      LOG.debug("403 on {} {}: token of another tenant", ctx.method(), ctx.path());
      throw HttpError.forbidden("forbidden", "the token does not grant access to this tenant");
    }
    return principal;
  }

  /** The token of the first source present (header, cookie, query); null when there is none. */
  static String token(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null) {
      // Present but not a bearer token: refused, never a fallback to another source.
      return header.regionMatches(true, 0, BEARER, 0, BEARER.length())
          ? header.substring(BEARER.length()).trim()
          : "";
    }
    String cookie = ctx.cookie(COOKIE);
    if (cookie != null) {
      return cookie;
    }
    return ctx.queryParam(QUERY_PARAMETER);
  }

  @Override
  public void close() {
    if (verifier != null) {
      verifier.close();
    }
  }
}
