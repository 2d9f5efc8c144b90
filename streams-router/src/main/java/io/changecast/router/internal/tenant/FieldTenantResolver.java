package io.changecast.router.internal.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.ChangeEvent;
import io.changecast.router.TenantResolver;
import java.util.List;
import java.util.Optional;

/** Reads the tenant from a (dotted) field of the event's document, or else of its pre-image. */
public final class FieldTenantResolver implements TenantResolver {

  private final String path;
  private final List<String> segments;

  public FieldTenantResolver(String path) {
    this.segments = List.of(path.split("\\.", -1));
    if (path.isBlank() || segments.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("Invalid tenant field path '" + path + "'");
    }
    this.path = path;
  }

  @Override
  public Optional<String> resolve(ChangeEvent event) {
    JsonNode node = event.document() != null ? event.document() : event.documentBefore();
    for (String segment : segments) {
      if (node == null || !node.isObject()) {
        return Optional.empty();
      }
      node = node.get(segment);
    }
    return node == null ? Optional.empty() : tenantOf(node);
  }

  /** A string, a whole number, or an Extended JSON {@code $oid}/{@code $numberLong} wrapper. */
  static Optional<String> tenantOf(JsonNode value) {
    if (value.isObject() && value.size() == 1) {
      JsonNode wrapped = value.has("$oid") ? value.get("$oid") : value.get("$numberLong");
      return wrapped != null && wrapped.isTextual() ? nonBlank(wrapped.asText()) : Optional.empty();
    }
    if (value.isTextual()) {
      return nonBlank(value.asText());
    }
    if (value.isIntegralNumber()) {
      return Optional.of(value.asText());
    }
    return Optional.empty();
  }

  private static Optional<String> nonBlank(String text) {
    return text.isBlank() ? Optional.empty() : Optional.of(text);
  }

  @Override
  public String toString() {
    return "field:" + path;
  }
}
