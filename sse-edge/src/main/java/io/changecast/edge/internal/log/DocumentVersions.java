package io.changecast.edge.internal.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.edge.internal.documents.DocumentState;
import io.changecast.edge.internal.documents.Documents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The other versions of an event's document for the filter rule of filtered streams (see {@link
 * io.changecast.edge.internal.filter.EventFilter#matchesChange}): the one the edge computed after
 * the change when the envelope has none, and the one before it (null: none). Looked up once per
 * event instance for all its subscribers, once the state has applied the event (it trails the
 * hand-over, see {@link io.changecast.edge.internal.documents.DocumentApplier}); empty without
 * document state, for events that changed no single document, and when the store cannot be read now
 * or the state does not apply the event within {@link #APPLIED_WITHIN} (the envelope alone then
 * decides).
 */
public final class DocumentVersions implements Function<Event, List<JsonNode>> {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration APPLIED_WITHIN = Duration.ofSeconds(10);

  private final EventLog log;
  private final SharedEncoding<List<JsonNode>> versions = new SharedEncoding<>(this::lookUp);

  public DocumentVersions(EventLog log) {
    this.log = log;
  }

  @Override
  public List<JsonNode> apply(Event event) {
    return versions.of(event);
  }

  private List<JsonNode> lookUp(Event event) {
    Optional<Documents> documents = log.documents();
    if (documents.isEmpty()) {
      return List.of();
    }
    try {
      if (!documents.get().awaitApplied(event.tenant(), event.id(), APPLIED_WITHIN)) {
        return List.of();
      }
      Optional<DocumentState.Images> images =
          documents.get().images(event.tenant(), event.id(), JSON.readTree(event.json()));
      if (images.isEmpty()) {
        return List.of();
      }
      List<JsonNode> found = new ArrayList<>(2);
      if (images.get().after() != null) {
        found.add(images.get().after());
      }
      found.add(images.get().before());
      return found;
    } catch (RuntimeException | JsonProcessingException e) {
      return List.of();
    }
  }
}
