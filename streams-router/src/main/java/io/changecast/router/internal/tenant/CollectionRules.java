package io.changecast.router.internal.tenant;

import io.changecast.contract.TenantStrategy;
import io.changecast.router.ChangeEvent;
import io.changecast.router.CollectionRule;
import io.changecast.router.internal.parse.EventTypes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The tenant strategy and event type rule of each namespace, from the configured {@link
 * CollectionRule}s and defaults; resolved once per namespace and cached. Thread-safe.
 */
public final class CollectionRules {

  private final Map<String, CollectionRule> rules = new HashMap<>();
  private final CollectionRule defaults;
  private final Map<String, Resolved> cache = new ConcurrentHashMap<>();

  /**
   * What applies to one namespace.
   *
   * @param baseCollection the namespace's collection without its tenant prefix (under {@code
   *     collection-prefix}), the type rules' base name
   */
  public record Resolved(
      TenantStrategy tenant,
      BiFunction<ChangeEvent, String, String> typeRule,
      String baseCollection) {

    /** The type of {@code event} (of this namespace) under this namespace's rules. */
    public String type(ChangeEvent event) {
      return typeRule.apply(event, baseCollection);
    }
  }

  public CollectionRules(String defaultTenant, List<CollectionRule> collections) {
    this.defaults = new CollectionRule("*", "*", defaultTenant, "default");
    for (CollectionRule rule : collections) {
      rules.put(key(rule.database(), rule.collection()), rule);
    }
  }

  /** The rules for the namespace {@code database.collection}. */
  public Resolved forNamespace(String database, String collection) {
    return cache.computeIfAbsent(
        key(database, collection),
        k -> {
          CollectionRule rule = defaults;
          for (String candidate :
              List.of(key("*", "*"), key("*", collection), key(database, "*"), k)) {
            CollectionRule found = rules.get(candidate);
            if (found != null) {
              rule = found.orElseRule(rule);
            }
          }
          TenantStrategy tenant = TenantStrategy.parse(rule.tenant());
          return new Resolved(
              tenant, EventTypes.parse(rule.type()), tenant.baseCollection(collection));
        });
  }

  /** The rules for {@code event}'s namespace. */
  public Resolved forEvent(ChangeEvent event) {
    return forNamespace(event.database(), event.collection());
  }

  private static String key(String database, String collection) {
    return database + '\u0000' + collection;
  }
}
