package io.changecast.router.internal.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.ChangeEvent.Operation;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
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
        Envelope.publish(11, "acme", "ping", JSON.nullNode(), ROUTED_AT),
        Envelope.publish(12, "acme", "parsed", PARSED, ROUTED_AT),
        Envelope.publish(
            13,
            "acme",
            "built",
            JSON.objectNode()
                .put("float", 1.25f)
                .put("short", (short) 7)
                .put("bigInteger", new BigInteger("-123456789012345678901234567890"))
                .put("binary", new byte[] {0, 1, 2, (byte) 0xff})
                .putPOJO("pojo", new BigDecimal("1E+3"))
                .set("missing", JSON.missingNode()),
            ROUTED_AT));
  }

  /** Every kind of value the router's mapper reads from a raw change event. */
  private static final JsonNode PARSED = parsed();

  private static JsonNode parsed() {
    try {
      return Json.mapper()
          .readTree(
              "{\"int\": 1, \"long\": 12345678901234, \"bigInteger\":"
                  + " 123456789012345678901234567890, \"double\": 1.5e300, \"negativeZero\": -0.0,"
                  + " \"fraction\": 0.30000000000000004, \"true\": true, \"false\": false,"
                  + " \"null\": null, \"text\": \"\\u0000 \\ud83d\\ude00 \\\"q\\\" \\\\\","
                  + " \"\\u00e9\\n\": [[], {}, [1, {\"a\": null}], \"\"]}");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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
