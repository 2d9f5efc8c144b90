package io.changecast.edge.internal.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.contract.EnvelopeFields;
import io.changecast.contract.TenantId;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads the few envelope fields the edge needs from a record of the events topic. */
public final class EnvelopeParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Result of parsing one record. */
  public sealed interface Result {}

  /**
   * A usable event, with the envelope's cluster time and {@code routedAt} (epoch ms) when it has
   * them, and the parsed envelope.
   */
  public record Parsed(
      Event event, Optional<ClusterTime> clusterTime, OptionalLong routedAt, JsonNode envelope)
      implements Result {}

  /** A record the edge cannot serve, and why. */
  public record Invalid(String reason) implements Result {}

  private EnvelopeParser() {}

  /**
   * Parses a record: the tenant is the record key (else the envelope's {@code tenant}), the id the
   * envelope's decimal {@code id}. JSON spread over several lines is re-written on one line.
   */
  public static Result parse(String key, String value) {
    if (value == null) {
      return new Invalid("record has no value");
    }
    JsonNode envelope;
    try {
      envelope = MAPPER.readTree(value);
    } catch (JsonProcessingException e) {
      return new Invalid("value is not JSON: " + e.getOriginalMessage());
    }
    if (envelope == null || !envelope.isObject()) {
      return new Invalid("value is not a JSON object");
    }
    String tenant = key != null ? key : envelope.path(EnvelopeFields.TENANT).asText(null);
    Optional<String> refused = TenantId.check(tenant);
    if (refused.isPresent()) {
      return new Invalid("invalid tenant: " + refused.get());
    }
    Optional<Long> id = id(envelope.get(EnvelopeFields.ID));
    if (id.isEmpty()) {
      return new Invalid(
          "envelope id is not a non-negative integer: " + envelope.get(EnvelopeFields.ID));
    }
    String json = value;
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      json = envelope.toString();
    }
    JsonNode routedAt = envelope.get(EnvelopeFields.ROUTED_AT);
    return new Parsed(
        new Event(tenant, id.get(), json),
        clusterTime(envelope.get(EnvelopeFields.CLUSTER_TIME)),
        routedAt != null && routedAt.isIntegralNumber() && routedAt.canConvertToLong()
            ? OptionalLong.of(routedAt.longValue())
            : OptionalLong.empty(),
        envelope);
  }

  private static Optional<Long> id(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
      return Optional.of(node.longValue());
    }
    if (node.isTextual()) {
      return ResumePosition.parseId(node.textValue());
    }
    return Optional.empty();
  }

  private static Optional<ClusterTime> clusterTime(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    JsonNode timestamp = node.has("$timestamp") ? node.get("$timestamp") : node;
    JsonNode t = timestamp.get("t");
    JsonNode i = timestamp.get("i");
    if (t == null || i == null || !t.canConvertToLong() || !i.canConvertToLong()) {
      return Optional.empty();
    }
    return Optional.of(new ClusterTime(t.asLong(), i.asLong()));
  }
}
