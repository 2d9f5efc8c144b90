package io.changecast.router;

import io.changecast.contract.TenantStrategy;
import java.util.Optional;

/**
 * Names the tenant of a change event from the event itself, by a {@link TenantStrategy} (the
 * grammar and the rule live in the contract module, shared with the config CLI's dry-run). When it
 * cannot (a delete has no document), the router falls back to the tenant it remembered for the same
 * document from earlier events.
 */
@FunctionalInterface
public interface TenantResolver {

  /** The tenant of {@code event}, or empty when the event alone does not say. */
  Optional<String> resolve(ChangeEvent event);

  /** The resolver of {@code strategy}. */
  static TenantResolver of(TenantStrategy strategy) {
    return event -> event.tenant(strategy);
  }

  /**
   * The resolver for a spec ({@link TenantStrategy#parse}).
   *
   * @throws IllegalArgumentException naming what is wrong with the spec
   */
  static TenantResolver parse(String spec) {
    return of(TenantStrategy.parse(spec));
  }
}
