package io.changecast.contract;

import java.util.Optional;

/**
 * The tenant id rule, defined once for every module: the router dead-letters an event whose tenant
 * breaks it (so no id is spent on an event nobody can receive), the edge serves only tenants that
 * keep it, and the config CLI's dry-run reports what the router would do.
 *
 * <p>A tenant id is 1 to {@value #MAX_LENGTH} of the characters {@code A-Z a-z 0-9 . _ -}, and is
 * neither {@code .} nor {@code ..}. Why:
 *
 * <ul>
 *   <li>It is a path segment of the edge's URLs ({@code /v1/tenants/{tenant}/events}) without
 *       percent-encoding: clients and servers resolve the dot-segments {@code .} and {@code ..}
 *       away (RFC 3986, 5.2.4), so {@code /v1/tenants/../events} never names a tenant.
 *   <li>It is the prefix of the edge's event-log keys ({@code <tenant>/<id>}): no {@code /}, so one
 *       tenant's key range never holds another tenant's keys.
 *   <li>It is a JWT claim, a Kafka record key and a metric tag: printable ASCII only, bounded.
 * </ul>
 *
 * Other ids with dots ({@code .acme}, {@code a..b}, {@code ...}) are no dot-segments and stay
 * valid.
 */
public final class TenantId {

  /** The longest tenant id, in characters. */
  public static final int MAX_LENGTH = 128;

  /** The rule in words, for error messages. */
  public static final String RULE =
      "a tenant id is 1 to " + MAX_LENGTH + " of the characters A-Z a-z 0-9 . _ - (not . or ..)";

  private TenantId() {}

  /** Whether {@code id} is a valid tenant id. */
  public static boolean isValid(String id) {
    return check(id).isEmpty();
  }

  /**
   * Why {@code id} is not a valid tenant id (one sentence naming the offending part), or empty when
   * it is valid.
   */
  public static Optional<String> check(String id) {
    if (id == null) {
      return Optional.of("no tenant id");
    }
    if (id.isEmpty()) {
      return Optional.of("the tenant id is empty");
    }
    if (id.length() > MAX_LENGTH) {
      return Optional.of(
          "the tenant id is " + id.length() + " characters long, over " + MAX_LENGTH);
    }
    for (int i = 0; i < id.length(); i++) {
      if (!allowed(id.charAt(i))) {
        return Optional.of(
            "the tenant id \""
                + id
                + "\" has "
                + describe(id.codePointAt(i))
                + " at index "
                + i
                + "; "
                + RULE);
      }
    }
    if (id.equals(".") || id.equals("..")) {
      return Optional.of(
          "the tenant id \""
              + id
              + "\" is a URL dot-segment: /v1/tenants/"
              + id
              + "/events resolves to another path");
    }
    return Optional.empty();
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  private static String describe(int codePoint) {
    String hex = String.format("U+%04X", codePoint);
    return Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
        ? hex
        : "'" + new String(Character.toChars(codePoint)) + "' (" + hex + ")";
  }
}
