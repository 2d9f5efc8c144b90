package io.changecast.router;

import io.changecast.router.internal.tenant.FieldTenantResolver;
import io.changecast.router.internal.tenant.TenantStrategies;
import java.util.Optional;

/**
 * Names the tenant of a change event from the event itself. When it cannot (a delete has no
 * document), the router falls back to the tenant it remembered for the same document from earlier
 * events. Implementations must be deterministic and thread-safe.
 *
 * <p>Strategies by spec ({@link #parse}): {@code field:<path>}, {@code database}, {@code
 * collection-prefix:<sep>}, {@code static:<tenant>}.
 */
@FunctionalInterface
public interface TenantResolver {

  /** The tenant of {@code event}, or empty when the event alone does not say. */
  Optional<String> resolve(ChangeEvent event);

  /**
   * Reads the tenant from a field of the event's document, or of its pre-image ({@code
   * fullDocumentBeforeChange}) when it has no document; {@code path} may be dotted ({@code
   * owner.tenant}). Strings, whole numbers, {@code $oid} and {@code $numberLong} values qualify.
   */
  static TenantResolver field(String path) {
    return new FieldTenantResolver(path);
  }

  /** The database is the tenant (database-per-tenant deployments). */
  static TenantResolver database() {
    return TenantStrategies.database();
  }

  /**
   * The collection name up to the first {@code separator} is the tenant (collection-per-tenant:
   * {@code acme_orders} with separator {@code _} is tenant {@code acme}). A collection without the
   * separator, or starting with it, names no tenant.
   */
  static TenantResolver collectionPrefix(String separator) {
    return TenantStrategies.collectionPrefix(separator);
  }

  /** Every event of the collection belongs to {@code tenant}. */
  static TenantResolver constant(String tenant) {
    return TenantStrategies.constant(tenant);
  }

  /**
   * The resolver for a spec: {@code field:<path>}, {@code database}, {@code
   * collection-prefix:<sep>} or {@code static:<tenant>}.
   *
   * @throws IllegalArgumentException naming the spec and the accepted forms
   */
  static TenantResolver parse(String spec) {
    return TenantStrategies.parse(spec);
  }
}
