package io.changecast.edge.internal.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

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

  /** Whether the parsed envelope passes. */
  public boolean matches(JsonNode envelope) {
    if (types.isPresent()) {
      JsonNode type = envelope.get("type");
      if (type == null || !type.isTextual() || !types.get().matches(type.textValue())) {
        return false;
      }
    }
    return where.isEmpty() || Evaluator.matches(where.get(), envelope);
  }
}
