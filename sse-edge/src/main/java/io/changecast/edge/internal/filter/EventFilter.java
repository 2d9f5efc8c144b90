package io.changecast.edge.internal.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code types} and {@code where} filters of one request, applied to replayed and live events
 * alike. The edge evaluates them itself; they never reach MongoDB.
 */
public record EventFilter(Optional<TypeFilter> types, Optional<Expr> where) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Passes every event. */
  public static final EventFilter ALL = new EventFilter(Optional.empty(), Optional.empty());

  /**
   * Parses the two query parameters (null or blank: no filter).
   *
   * @throws FilterSyntaxException naming the parameter in its reason
   */
  public static EventFilter parse(String types, String where) {
    Optional<TypeFilter> typeFilter = Optional.empty();
    Optional<Expr> expr = Optional.empty();
    if (types != null && !types.isBlank()) {
      try {
        typeFilter = Optional.of(TypeFilter.parse(types));
      } catch (FilterSyntaxException e) {
        throw new FilterSyntaxException("types: " + e.reason(), e.position());
      }
    }
    if (where != null && !where.isBlank()) {
      try {
        expr = Optional.of(FilterParser.parse(where));
      } catch (FilterSyntaxException e) {
        throw new FilterSyntaxException("where: " + e.reason(), e.position());
      }
    }
    return new EventFilter(typeFilter, expr);
  }

  /** Whether every event passes (no parsing needed). */
  public boolean passesAll() {
    return types.isEmpty() && where.isEmpty();
  }

  /** Whether the envelope JSON passes; an envelope that is not a JSON object never does. */
  public boolean matches(String envelopeJson) {
    if (passesAll()) {
      return true;
    }
    JsonNode envelope;
    try {
      envelope = MAPPER.readTree(envelopeJson);
    } catch (IOException e) {
      return false;
    }
    return envelope != null && envelope.isObject() && matches(envelope);
  }

  /**
   * The rule of filtered streams, which makes a subscriber's copy of the documents converge: an
   * event passes when its type passes and {@code where} holds for the envelope, or for the envelope
   * with its {@code document} replaced by another version of the document: the version before the
   * change (so an update that makes a document stop matching, and a delete, reach the subscribers
   * that hold it), and the version after it when the envelope has none (an update without a
   * post-image). {@code versions} gives those (null for "no document"), and is asked only when the
   * envelope itself does not pass.
   */
  public boolean matchesChange(String envelopeJson, Supplier<List<JsonNode>> versions) {
    if (passesAll()) {
      return true;
    }
    JsonNode envelope;
    try {
      envelope = MAPPER.readTree(envelopeJson);
    } catch (IOException e) {
      return false;
    }
    if (envelope == null || !envelope.isObject()) {
      return false;
    }
    if (matches(envelope)) {
      return true;
    }
    if (where.isEmpty() || !typePasses(envelope)) {
      return false;
    }
    for (JsonNode version : versions.get()) {
      ObjectNode other = ((ObjectNode) envelope).deepCopy();
      if (version == null) {
        other.remove("document");
      } else {
        other.set("document", version);
      }
      if (Evaluator.matches(where.get(), other)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code where} holds for a document of the snapshot: it is evaluated on {@code
   * {"tenant","database","collection","documentKey","document","id"}} (the entry with its tenant),
   * the fields an envelope has about its document; a condition on other envelope fields ({@code
   * type}, {@code operation}, {@code changes}, …) finds them absent. {@code types} does not apply
   * (a document has no event type).
   */
  public boolean matchesDocument(JsonNode entryWithTenant) {
    return where.isEmpty() || Evaluator.matches(where.get(), entryWithTenant);
  }

  private boolean typePasses(JsonNode envelope) {
    if (types.isEmpty()) {
      return true;
    }
    JsonNode type = envelope.get("type");
    return type != null && type.isTextual() && types.get().matches(type.textValue());
  }

  /** Whether the parsed envelope passes. */
  public boolean matches(JsonNode envelope) {
    if (!typePasses(envelope)) {
      return false;
    }
    return where.isEmpty() || Evaluator.matches(where.get(), envelope);
  }
}
