package io.changecast.router.internal.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.ChangeEvent.Operation;
import io.changecast.router.event.Envelope;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeSerdeTest {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final long ROUTED_AT = 1_700_000_999_000L;

  static Stream<Envelope> envelopes() {
    JsonNode key = JSON.objectNode().set("_id", JSON.objectNode().put("$oid", "65a1"));
    JsonNode document =
        JSON.objectNode()
            .put("tenantId", "acme")
            .put("name", "Zoë \u2603 \"quoted\" </script> \u0001")
            .put("price", new BigDecimal("12.50"))
            .put("ratio", 0.1)
            .put("big", 12345678901234L)
            .set("tags", JSON.arrayNode().add("a").add(JSON.nullNode()).add(true));
    ChangeEvent update =
        new ChangeEvent(
            Operation.UPDATE,
            "app",
            "orders",
            key,
            document,
            new Envelope.Changes(
                JSON.objectNode().put("status", "paid"), JSON.arrayNode().add("note"), null),
            new Envelope.ClusterTime(1_700_000_000L, 7),
            1_700_000_000_123L,
            JSON.objectNode().put("_data", "82"),
            null);
    ChangeEvent delete =
        new ChangeEvent(Operation.DELETE, "app", "orders", key, null, null, null, null, null, null);
    return Stream.of(
        Envelope.of(41, "acme", "orders.updated", update, ROUTED_AT),
        Envelope.of(1, "t-ü", "orders.deleted", delete, ROUTED_AT),
        Envelope.reset(
            7,
            "acme",
            "source-history-lost",
            JSON.arrayNode().add(JSON.objectNode().put("db", "app").put("coll", "orders")),
            new Envelope.ClusterTime(1_700_000_005L, 0),
            ROUTED_AT),
        Envelope.reset(8, "acme", "source-history-lost", JSON.arrayNode(), null, ROUTED_AT),
        Envelope.publish(9, "acme", "invoice.sent", JSON.objectNode().put("n", 1), ROUTED_AT),
        Envelope.publish(10, "acme", "ping", null, ROUTED_AT),
        Envelope.publish(11, "acme", "ping", JSON.nullNode(), ROUTED_AT));
  }

  @ParameterizedTest
  @MethodSource("envelopes")
  void writesTheSameBytesAsJacksonsBeanSerialisation(Envelope envelope) {
    byte[] bean = new JsonSerde<>(Envelope.class).serializer().serialize("events", envelope);

    byte[] written = new EnvelopeSerde().serializer().serialize("events", envelope);

    assertThat(new String(written, StandardCharsets.UTF_8))
        .isEqualTo(new String(bean, StandardCharsets.UTF_8));
    assertThat(new EnvelopeSerde().deserializer().deserialize("events", written))
        .isEqualTo(new JsonSerde<>(Envelope.class).deserializer().deserialize("events", bean));
  }
}
