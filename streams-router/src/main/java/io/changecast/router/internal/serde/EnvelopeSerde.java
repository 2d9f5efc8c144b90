package io.changecast.router.internal.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.Json;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The events topic's serde: writes an {@link Envelope} with a streaming generator, field by field,
 * the same bytes as Jackson's bean serialisation of it (its {@code @JsonPropertyOrder}, absent
 * fields omitted) without the bean introspection per record; reads with {@link JsonSerde}.
 */
public final class EnvelopeSerde implements Serde<Envelope> {

  private static final JsonFactory FACTORY = Json.mapper().getFactory();
  private final JsonSerde<Envelope> json = new JsonSerde<>(Envelope.class);

  @Override
  public Serializer<Envelope> serializer() {
    return (topic, envelope) -> envelope == null ? null : write(envelope);
  }

  @Override
  public Deserializer<Envelope> deserializer() {
    return json.deserializer();
  }

  /** {@code envelope} as UTF-8 JSON. */
  static byte[] write(Envelope envelope) {
    ByteArrayBuilder bytes = new ByteArrayBuilder(512);
    try (JsonGenerator out = FACTORY.createGenerator(bytes)) {
      out.writeStartObject();
      string(out, "id", envelope.id());
      string(out, "tenant", envelope.tenant());
      string(out, "type", envelope.type());
      string(out, "operation", envelope.operation());
      string(out, "database", envelope.database());
      string(out, "collection", envelope.collection());
      tree(out, "documentKey", envelope.documentKey());
      tree(out, "document", envelope.document());
      Envelope.Changes changes = envelope.changes();
      if (changes != null) {
        out.writeObjectFieldStart("changes");
        treeOrNull(out, "updatedFields", changes.updatedFields());
        treeOrNull(out, "removedFields", changes.removedFields());
        treeOrNull(out, "truncatedArrays", changes.truncatedArrays());
        out.writeEndObject();
      }
      string(out, "reason", envelope.reason());
      tree(out, "namespaces", envelope.namespaces());
      tree(out, "data", envelope.data());
      Envelope.ClusterTime clusterTime = envelope.clusterTime();
      if (clusterTime != null) {
        out.writeObjectFieldStart("clusterTime");
        out.writeNumberField("t", clusterTime.t());
        out.writeNumberField("i", clusterTime.i());
        out.writeEndObject();
      }
      if (envelope.wallTime() != null) {
        out.writeNumberField("wallTime", envelope.wallTime());
      }
      out.writeNumberField("routedAt", envelope.routedAt());
      string(out, "traceparent", envelope.traceparent());
      out.writeEndObject();
    } catch (IOException e) {
      throw new SerializationException("Cannot write an envelope as JSON", e);
    }
    return bytes.toByteArray();
  }

  private static void string(JsonGenerator out, String name, String value) throws IOException {
    if (value != null) {
      out.writeStringField(name, value);
    }
  }

  private static void tree(JsonGenerator out, String name, JsonNode value) throws IOException {
    if (value != null) {
      out.writeFieldName(name);
      node(out, value);
    }
  }

  private static void treeOrNull(JsonGenerator out, String name, JsonNode value)
      throws IOException {
    out.writeFieldName(name);
    if (value == null) {
      out.writeNull();
    } else {
      node(out, value);
    }
  }

  /**
   * {@code node} as {@link JsonGenerator#writeTree} writes it with the router's mapper, but walked
   * here: {@code writeTree} looks up a serializer through the mapper for every call, a fifth of the
   * envelope's writing. Node kinds a parsed change event never holds (binary, POJO) still go
   * through {@code writeTree}.
   */
  static void node(JsonGenerator out, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        out.writeStartObject();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          out.writeFieldName(field.getKey());
          node(out, field.getValue());
        }
        out.writeEndObject();
      }
      case ARRAY -> {
        out.writeStartArray();
        for (JsonNode element : node) {
          node(out, element);
        }
        out.writeEndArray();
      }
      case STRING -> out.writeString(node.textValue());
      case NUMBER -> number(out, node);
      case BOOLEAN -> out.writeBoolean(node.booleanValue());
      case NULL -> out.writeNull();
      default -> out.writeTree(node);
    }
  }

  private static void number(JsonGenerator out, JsonNode node) throws IOException {
    switch (node.numberType()) {
      case INT -> out.writeNumber(node.intValue());
      case LONG -> out.writeNumber(node.longValue());
      case BIG_INTEGER -> out.writeNumber(node.bigIntegerValue());
      case FLOAT -> out.writeNumber(node.floatValue());
      case DOUBLE -> out.writeNumber(node.doubleValue());
      case BIG_DECIMAL -> out.writeNumber(node.decimalValue());
      default -> out.writeTree(node);
    }
  }
}
