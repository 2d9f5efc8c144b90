package io.changecast.router;

import io.changecast.router.internal.FieldTenantResolver;
import java.util.Optional;

/**
 * Names the tenant of a change event from the event itself. When it cannot (a delete has no
 * document), the router falls back to the tenant it remembered for the same document from earlier
 * events. Implementations must be deterministic and thread-safe.
 */
@FunctionalInterface
public interface TenantResolver {

  /** The tenant of {@code event}, or empty when the event alone does not say. */
  Optional<String> resolve(ChangeEvent event);

  /**
   * Reads the tenant from a field of the event's document; {@code path} may be dotted ({@code
   * owner.tenant}). Strings, whole numbers, {@code $oid} and {@code $numberLong} values qualify.
   */
  static TenantResolver field(String path) {
    return new FieldTenantResolver(path);
  }
}
