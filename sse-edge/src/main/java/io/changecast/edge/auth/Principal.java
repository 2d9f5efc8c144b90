package io.changecast.edge.auth;

import io.javalin.http.Context;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who a request is authenticated as, from a verified token. Handlers read it with {@link
 * #of(Context)}; it is absent when {@code auth.mode=none}.
 *
 * @param tenant the token's tenant claim (equal to the path's tenant)
 * @param scopes the token's scopes (e.g. {@code publish} for the write API)
 * @param expiresAt the token's {@code exp}
 * @param validUntil {@code exp} plus the configured leeway: the token is accepted until then, and
 *     streams opened with it end then
 * @param tokenKey identifies the token for the per-token stream cap: {@code jti:<tenant>/<jti>}
 *     when the token has a {@code jti}, else {@code sha256:<hex>} of the token; never the token
 *     itself, and never logged
 */
public record Principal(
    String tenant, Set<String> scopes, Instant expiresAt, Instant validUntil, String tokenKey) {
  /** The request attribute the principal is stored under. */
  public static final String ATTRIBUTE = "changecast.principal";

  /** The scope the write API requires. */
  public static final String PUBLISH_SCOPE = "publish";

  public Principal {
    Objects.requireNonNull(tenant, "tenant");
    scopes = Set.copyOf(scopes);
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(validUntil, "validUntil");
    Objects.requireNonNull(tokenKey, "tokenKey");
  }

  /** Keeps {@link #tokenKey} out of logs and error messages. */
  @Override
  public String toString() {
    return "Principal[tenant=" + tenant + ", scopes=" + scopes + ", expiresAt=" + expiresAt + "]";
  }

  /** Whether the token carries {@code scope}. */
  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }

  /** The principal of an authenticated request; empty when authentication is disabled. */
  public static Optional<Principal> of(Context ctx) {
    return Optional.ofNullable(ctx.attribute(ATTRIBUTE));
  }
}
