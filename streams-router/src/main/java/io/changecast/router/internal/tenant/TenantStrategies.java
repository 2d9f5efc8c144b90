package io.changecast.router.internal.tenant;

import io.changecast.contract.RawPartitions;
import io.changecast.contract.TenantId;
import io.changecast.router.ChangeEvent;
import io.changecast.router.TenantResolver;
import java.util.Optional;
import java.util.function.Function;

/** The tenant strategies other than {@code field:}, and the spec parser. */
public final class TenantStrategies {

  /** What {@link #parse} accepts, for error messages. */
  public static final String FORMS =
      "field:<path>, database, collection-prefix:<separator> or static:<tenant>";

  private TenantStrategies() {}

  public static TenantResolver database() {
    return new Named("database", event -> nonBlank(event.database()));
  }

  public static TenantResolver collectionPrefix(String separator) {
    if (separator == null || separator.isEmpty()) {
      throw new IllegalArgumentException(
          "collection-prefix needs a separator, e.g. collection-prefix:_");
    }
    return new Named(
        "collection-prefix:" + separator,
        event -> RawPartitions.collectionPrefix(event.collection(), separator));
  }

  public static TenantResolver constant(String tenant) {
    if (tenant == null || tenant.isBlank()) {
      throw new IllegalArgumentException("static needs a tenant, e.g. static:acme");
    }
    TenantId.check(tenant)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException("static:" + tenant + ": " + why);
            });
    Optional<String> fixed = Optional.of(tenant);
    return new Named("static:" + tenant, event -> fixed);
  }

  /**
   * Whether {@code resolver} names the tenant from the namespace alone ({@code database}, {@code
   * collection-prefix}, {@code static}): then every event of a namespace resolves by itself, and no
   * document's tenant needs remembering.
   */
  public static boolean fromNamespace(TenantResolver resolver) {
    return resolver instanceof Named;
  }

  /**
   * The resolver for {@code spec}.
   *
   * @throws IllegalArgumentException for anything but the {@link #FORMS}
   */
  public static TenantResolver parse(String spec) {
    String s = spec == null ? "" : spec.trim();
    if (s.equals("database")) {
      return database();
    }
    int colon = s.indexOf(':');
    String kind = colon < 0 ? s : s.substring(0, colon);
    String arg = colon < 0 ? "" : s.substring(colon + 1);
    switch (kind) {
      case "field" -> {
        if (arg.isEmpty()) {
          throw new IllegalArgumentException("field needs a path, e.g. field:tenantId");
        }
        return new FieldTenantResolver(arg);
      }
      case "collection-prefix" -> {
        return collectionPrefix(arg);
      }
      case "static" -> {
        return constant(arg);
      }
      default -> throw new IllegalArgumentException("expected " + FORMS);
    }
  }

  /**
   * The collection name without the tenant prefix of {@code resolver}, if it is a {@code
   * collection-prefix} strategy: {@code acme_orders -> orders}; otherwise the collection as is.
   */
  static String baseCollection(TenantResolver resolver, String collection) {
    String spec = resolver.toString();
    if (spec.startsWith("collection-prefix:")) {
      String separator = spec.substring("collection-prefix:".length());
      int at = collection.indexOf(separator);
      if (at > 0 && at + separator.length() < collection.length()) {
        return collection.substring(at + separator.length());
      }
    }
    return collection;
  }

  private static Optional<String> nonBlank(String text) {
    return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
  }

  private record Named(String spec, Function<ChangeEvent, Optional<String>> function)
      implements TenantResolver {
    @Override
    public Optional<String> resolve(ChangeEvent event) {
      return function.apply(event);
    }

    @Override
    public String toString() {
      return spec;
    }
  }
}
