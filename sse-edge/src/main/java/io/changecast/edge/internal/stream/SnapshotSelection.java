package io.changecast.edge.internal.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.filter.EventFilter;
import java.io.IOException;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which documents a snapshot holds: those of the listed collections (all when none is listed) for
 * which the request's {@code where} holds, evaluated as {@link EventFilter#matchesDocument} says.
 */
public record SnapshotSelection(String tenant, Set<String> collections, EventFilter filter)
    implements Predicate<String> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The {@code collections} query parameter: a comma list of names (blank: all). */
  public static Set<String> collections(String text) {
    if (text == null || text.isBlank()) {
      return Set.of();
    }
    Set<String> names = new java.util.TreeSet<>();
    for (String name : text.split(",", -1)) {
      String trimmed = name.trim();
      if (trimmed.isEmpty()) {
        throw HttpError.badRequest(
            "invalid_collections", "collections must be a comma list of collection names");
      }
      names.add(trimmed);
    }
    return Set.copyOf(names);
  }

  /** Whether the entry (its JSON text) is selected; parsed only when something is to check. */
  @Override
  public boolean test(String entryJson) {
    if (collections.isEmpty() && filter.where().isEmpty()) {
      return true;
    }
    JsonNode entry;
    try {
      entry = MAPPER.readTree(entryJson);
    } catch (IOException e) {
      return false;
    }
    if (!collections.isEmpty() && !collections.contains(entry.path("collection").asText(""))) {
      return false;
    }
    if (filter.where().isEmpty()) {
      return true;
    }
    ObjectNode withTenant = ((ObjectNode) entry).deepCopy();
    withTenant.put("tenant", tenant);
    return filter.matchesDocument(withTenant);
  }

  /** A stable text of what is selected, bound into cursors. */
  public String fingerprint() {
    return String.join(",", new java.util.TreeSet<>(collections))
        + "|"
        + filter.where().map(Object::toString).orElse("");
  }
}
