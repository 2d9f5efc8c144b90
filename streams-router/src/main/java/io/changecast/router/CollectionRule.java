package io.changecast.router;

import io.changecast.contract.TenantStrategy;
import io.changecast.router.internal.parse.EventTypes;

/**
 * How the router treats the events of one namespace, from the {@code collections.<db>.<coll>.*}
 * config keys. {@code database} or {@code collection} may be {@code *} (any); the most specific
 * rule wins: {@code db.coll}, then {@code db.*}, then {@code *.coll}, then the defaults.
 *
 * @param database the database, or {@code *}
 * @param collection the collection, or {@code *}
 * @param tenant a tenant strategy spec ({@link TenantStrategy#parse}), or {@code null} to inherit
 * @param type an event type spec ({@code default}, {@code field:<path>}, {@code name:<base>}), or
 *     {@code null} to inherit
 */
public record CollectionRule(String database, String collection, String tenant, String type) {

  public CollectionRule {
    if (database == null || database.isEmpty() || database.contains(".")) {
      throw new IllegalArgumentException(
          "collection rule database '" + database + "': expected a database name or *");
    }
    if (collection == null || collection.isEmpty()) {
      throw new IllegalArgumentException("collection rule collection must not be empty");
    }
    if (tenant != null) {
      TenantStrategy.parse(tenant); // validates
    }
    if (type != null) {
      EventTypes.parse(type); // validates
    }
  }

  /** This rule with {@code other}'s non-null parts filling its null ones. */
  public CollectionRule orElseRule(CollectionRule other) {
    return new CollectionRule(
        database,
        collection,
        tenant != null ? tenant : other.tenant,
        type != null ? type : other.type);
  }
}
