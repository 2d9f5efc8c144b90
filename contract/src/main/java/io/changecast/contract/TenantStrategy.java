package io.changecast.contract;

import java.util.List;
import java.util.Optional;

/**
 * How the tenant of a change event is named, defined once for the router (which resolves every
 * event with it) and the config CLI's dry-run (which shows what the router would do). Specs ({@link
 * #parse}): {@code field:<path>}, {@code database}, {@code collection-prefix:<separator>}, {@code
 * static:<tenant>}.
 */
public sealed interface TenantStrategy {

  /** What {@link #parse} accepts, for error messages. */
  String FORMS = "field:<path>, database, collection-prefix:<separator> or static:<tenant>";

  /**
   * The strategy of {@code spec} (surrounding blanks ignored).
   *
   * @throws IllegalArgumentException saying what is wrong: a missing or bad argument, or a form
   *     that is none of the {@link #FORMS}
   */
  static TenantStrategy parse(String spec) {
    String s = spec == null ? "" : spec.trim();
    if (s.equals("database")) {
      return new Database();
    }
    int colon = s.indexOf(':');
    String kind = colon < 0 ? s : s.substring(0, colon);
    String arg = colon < 0 ? "" : s.substring(colon + 1);
    return switch (kind) {
      case "field" -> {
        if (arg.isEmpty()) {
          throw new IllegalArgumentException("field needs a path, e.g. field:tenantId");
        }
        yield Field.of(arg);
      }
      case "collection-prefix" -> new CollectionPrefix(arg);
      case "static" -> new Static(arg);
      default -> throw new IllegalArgumentException("expected " + FORMS);
    };
  }

  /**
   * The tenant of an event of {@code database.collection} whose document (the post-image, else the
   * pre-image; {@code null} when it has neither) is {@code document}, or empty when the event alone
   * does not say.
   */
  <N> Optional<String> resolve(
      String database, String collection, N document, DocumentReader<N> reader);

  /**
   * Whether the namespace alone names the tenant (all but {@code field:}): then every event of a
   * namespace resolves by itself, and no document's tenant needs remembering.
   */
  default boolean fromNamespace() {
    return true;
  }

  /** {@code collection} without the tenant prefix this strategy reads from it, if any. */
  default String baseCollection(String collection) {
    return collection;
  }

  /** The spec this strategy parses from, e.g. {@code field:tenantId}, for messages. */
  String spec();

  /**
   * {@code field:<path>}: a (dotted) field of the document; a string, a whole number, or an
   * Extended JSON {@code $oid}/{@code $numberLong} wrapper qualify.
   *
   * @param path the field names, outermost first
   */
  record Field(List<String> path) implements TenantStrategy {

    public Field {
      path = List.copyOf(path);
      if (path.isEmpty() || path.stream().anyMatch(String::isBlank)) {
        throw new IllegalArgumentException(
            "Invalid tenant field path '" + String.join(".", path) + "'");
      }
    }

    /** The field at the dotted {@code path}, e.g. {@code owner.tenant}. */
    public static Field of(String path) {
      return new Field(List.of(path.split("\\.", -1)));
    }

    @Override
    public <N> Optional<String> resolve(
        String database, String collection, N document, DocumentReader<N> reader) {
      N node = document;
      for (String name : path) {
        if (node == null) {
          return Optional.empty();
        }
        node = reader.field(node, name);
      }
      return node == null ? Optional.empty() : value(node, reader);
    }

    private static <N> Optional<String> value(N node, DocumentReader<N> reader) {
      if (reader.size(node) == 1) {
        N wrapped = reader.field(node, "$oid");
        wrapped = wrapped != null ? wrapped : reader.field(node, "$numberLong");
        return wrapped == null ? Optional.empty() : nonBlank(reader.text(wrapped));
      }
      String text = reader.text(node);
      return text != null ? nonBlank(text) : Optional.ofNullable(reader.wholeNumber(node));
    }

    @Override
    public boolean fromNamespace() {
      return false;
    }

    @Override
    public String spec() {
      return "field:" + String.join(".", path);
    }
  }

  /** {@code database}: the database is the tenant (database-per-tenant deployments). */
  record Database() implements TenantStrategy {
    @Override
    public <N> Optional<String> resolve(
        String database, String collection, N document, DocumentReader<N> reader) {
      return nonBlank(database);
    }

    @Override
    public String spec() {
      return "database";
    }
  }

  /**
   * {@code collection-prefix:<separator>}: the collection name up to the first separator is the
   * tenant ({@code acme_orders} with {@code _} is tenant {@code acme}); a collection without the
   * separator, or starting with it, names none ({@link RawPartitions#collectionPrefix}).
   */
  record CollectionPrefix(String separator) implements TenantStrategy {

    public CollectionPrefix {
      if (separator == null || separator.isEmpty()) {
        throw new IllegalArgumentException(
            "collection-prefix needs a separator, e.g. collection-prefix:_");
      }
    }

    @Override
    public <N> Optional<String> resolve(
        String database, String collection, N document, DocumentReader<N> reader) {
      return RawPartitions.collectionPrefix(collection, separator);
    }

    /** {@code acme_orders -> orders}; a collection without a tenant prefix stays as it is. */
    @Override
    public String baseCollection(String collection) {
      int at = collection.indexOf(separator);
      return at > 0 && at + separator.length() < collection.length()
          ? collection.substring(at + separator.length())
          : collection;
    }

    @Override
    public String spec() {
      return "collection-prefix:" + separator;
    }
  }

  /** {@code static:<tenant>}: every event belongs to {@code tenant}, a valid {@link TenantId}. */
  record Static(String tenant) implements TenantStrategy {

    public Static {
      if (tenant == null || tenant.isBlank()) {
        throw new IllegalArgumentException("static needs a tenant, e.g. static:acme");
      }
      String id = tenant;
      TenantId.check(id)
          .ifPresent(
              why -> {
                throw new IllegalArgumentException("static:" + id + ": " + why);
              });
    }

    @Override
    public <N> Optional<String> resolve(
        String database, String collection, N document, DocumentReader<N> reader) {
      return Optional.of(tenant);
    }

    @Override
    public String spec() {
      return "static:" + tenant;
    }
  }

  private static Optional<String> nonBlank(String text) {
    return text == null || text.isBlank() ? Optional.empty() : Optional.of(text);
  }
}
