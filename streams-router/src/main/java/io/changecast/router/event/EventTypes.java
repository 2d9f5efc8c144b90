package io.changecast.router.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Event type names. A type rule maps an event and its base collection name (the collection, without
 * the tenant prefix under {@code collection-prefix}) to a type:
 *
 * <ul>
 *   <li>{@code default}: {@code <collection>.<created|updated|replaced|deleted>}
 *   <li>{@code name:<base>}: {@code <base>.<created|updated|replaced|deleted>}
 *   <li>{@code field:<path>}: the string at {@code path} in the document (or pre-image); when it is
 *       absent (a delete without pre-image, an update without post-image), the default
 * </ul>
 */
public final class EventTypes {

  /** What {@link #parse} accepts, for error messages. */
  public static final String FORMS = "default, name:<base> or field:<path>";

  private EventTypes() {}

  /** The default type: {@code <collection>.<created|updated|replaced|deleted>}. */
  public static String byCollection(ChangeEvent event) {
    return event.collection() + "." + event.operation().typeSuffix();
  }

  /**
   * The type rule for {@code spec}; arguments are the event and its base collection name.
   *
   * @throws IllegalArgumentException for anything but the {@link #FORMS}
   */
  public static BiFunction<ChangeEvent, String, String> parse(String spec) {
    String s = spec == null ? "" : spec.trim();
    if (s.equals("default")) {
      return (event, base) -> base + "." + event.operation().typeSuffix();
    }
    if (s.startsWith("name:") && s.length() > "name:".length()) {
      String name = s.substring("name:".length());
      return (event, base) -> name + "." + event.operation().typeSuffix();
    }
    if (s.startsWith("field:") && s.length() > "field:".length()) {
      List<String> path = List.of(s.substring("field:".length()).split("\\.", -1));
      if (path.stream().anyMatch(String::isBlank)) {
        throw new IllegalArgumentException("expected a field name or a dotted path after field:");
      }
      return (event, base) -> {
        String found = text(event.document(), path);
        if (found == null) {
          found = text(event.documentBefore(), path);
        }
        return found != null ? found : base + "." + event.operation().typeSuffix();
      };
    }
    throw new IllegalArgumentException("expected " + FORMS);
  }

  private static String text(JsonNode node, List<String> path) {
    for (String segment : path) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(segment);
    }
    return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
  }
}
