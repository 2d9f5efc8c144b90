package io.changecast.edge.internal.log;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.contract.EnvelopeFields;
import io.changecast.contract.TenantId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the few envelope fields the edge needs from a record of the events topic.
 *
 * <p>It streams over the envelope's tokens once and builds no tree (the global thread parses every
 * event: the tree of the whole envelope was a third of that thread's work per event, and only the
 * document state reads the rest, with a token pass of its own on its own thread). The whole value
 * is still read, so malformed JSON is refused as before.
 */
public final class EnvelopeParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Result of parsing one record. */
  public sealed interface Result {}

  /**
   * A usable event, with the envelope's cluster time and {@code routedAt} (epoch ms) when it has
   * them.
   */
  public record Parsed(Event event, Optional<ClusterTime> clusterTime, OptionalLong routedAt)
      implements Result {}

  /** A record the edge cannot serve, and why. */
  public record Invalid(String reason) implements Result {}

  private EnvelopeParser() {}

  /**
   * Parses a record: the tenant is the record key (else the envelope's {@code tenant}), the id the
   * envelope's decimal {@code id}. JSON spread over several lines is re-written on one line. A
   * field given twice counts with its last value; what follows the envelope's closing brace is not
   * read.
   */
  public static Result parse(String key, String value) {
    if (value == null) {
      return new Invalid("record has no value");
    }
    String tenantField = null;
    JsonNode idNode = null;
    JsonNode routedAt = null;
    JsonNode clusterTime = null;
    try (JsonParser parser = MAPPER.createParser(value)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return new Invalid("value is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        switch (name) {
          case EnvelopeFields.TENANT -> tenantField = text(parser, token);
          case EnvelopeFields.ID -> idNode = parser.readValueAsTree();
          case EnvelopeFields.ROUTED_AT -> routedAt = parser.readValueAsTree();
          case EnvelopeFields.CLUSTER_TIME -> clusterTime = parser.readValueAsTree();
          default -> parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT) {
        return new Invalid("value is not JSON: unexpected end of the envelope");
      }
    } catch (JsonProcessingException e) {
      return new Invalid("value is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string failed", e);
    }
    String tenant = key != null ? key : tenantField;
    Optional<String> refused = TenantId.check(tenant);
    if (refused.isPresent()) {
      return new Invalid("invalid tenant: " + refused.get());
    }
    Optional<Long> id = id(idNode);
    if (id.isEmpty()) {
      return new Invalid("envelope id is not a non-negative integer: " + idNode);
    }
    String json = value;
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      try {
        json = MAPPER.readTree(value).toString();
      } catch (JsonProcessingException e) {
        return new Invalid("value is not JSON: " + e.getOriginalMessage());
      }
    }
    return new Parsed(
        new Event(tenant, id.get(), json),
        clusterTime(clusterTime),
        routedAt != null && routedAt.isIntegralNumber() && routedAt.canConvertToLong()
            ? OptionalLong.of(routedAt.longValue())
            : OptionalLong.empty());
  }

  /**
   * A field's value as {@code JsonNode.asText(null)} gives it: a scalar's text, null for {@code
   * null}, empty for an object or array (skipped).
   */
  private static String text(JsonParser parser, JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_NULL) {
      return null;
    }
    if (token.isStructStart()) {
      parser.skipChildren();
      return "";
    }
    return parser.getText();
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
