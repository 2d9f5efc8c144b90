package io.changecast.router.internal.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.changecast.router.ChangeEvent;
import io.changecast.router.ChangeEvent.Operation;
import io.changecast.router.Envelope;
import io.changecast.router.internal.parse.Json;
import io.changecast.router.internal.parse.Pending;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PendingSerdeTest {

  private static final String TOPIC = "app-by-tenant-repartition";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final PendingSerde serde = new PendingSerde();

  static Stream<Pending> pendings() {
    JsonNode key = JSON.objectNode().set("_id", JSON.objectNode().put("$oid", "65a1"));
    JsonNode document =
        JSON.objectNode()
            .put("tenantId", "acme")
            .put("name", "Zoë \u2603 \"quoted\"")
            .put("big", 12345678901234L)
            .set("tags", JSON.arrayNode().add("a").add(JSON.nullNode()));
    Envelope.Changes changes =
        new Envelope.Changes(
            JSON.objectNode().put("status", "paid"),
            JSON.arrayNode().add("note"),
            JSON.arrayNode().add(JSON.objectNode().put("field", "items").put("newSize", 2)));
    return Stream.of(
        new Pending.Change(
            new ChangeEvent(
                Operation.UPDATE,
                "app",
                "orders",
                key,
                document,
                changes,
                new Envelope.ClusterTime(1_700_000_000L, 7),
                1_700_000_000_123L,
                null,
                null),
            "orders.updated"),
        new Pending.Change(
            new ChangeEvent(
                Operation.DELETE, "app", "orders", key, null, null, null, null, null, null),
            "orders.deleted"),
        new Pending.Reset(
            "source-history-lost",
            JSON.arrayNode().add(JSON.objectNode().put("db", "app").put("coll", "orders")),
            new Envelope.ClusterTime(1_700_000_005L, 0)),
        new Pending.Reset("source-history-lost", JSON.arrayNode(), null),
        new Pending.Publish("invoice.sent", JSON.objectNode().put("n", 1), 1_700_000_000_000L),
        new Pending.Publish("ping", null, null));
  }

  @ParameterizedTest
  @MethodSource("pendings")
  void roundTripsEveryVariantInTheCompactFormat(Pending pending) {
    byte[] bytes = serde.serializer().serialize(TOPIC, pending);

    assertThat(bytes[0]).isEqualTo(PendingSerde.FORMAT);
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(pending);
  }

  @Test
  void leavesOutWhatNothingAfterTheRepartitionReadsAndIsSmallerThanJson() throws Exception {
    JsonNode token = JSON.objectNode().put("_data", "8265A1B2C3000000012B022C0100296E5A1004");
    ChangeEvent event = delete(token, JSON.objectNode().put("_id", 1).put("tenantId", "acme"));
    Pending pending = new Pending.Change(event, "orders.deleted");

    byte[] bytes = serde.serializer().serialize(TOPIC, pending);
    Pending read = serde.deserializer().deserialize(TOPIC, bytes);

    assertThat(read).isEqualTo(new Pending.Change(delete(null, null), "orders.deleted"));
    assertThat(bytes.length).isLessThan(Json.mapper().writeValueAsBytes(pending).length);
  }

  private static ChangeEvent delete(JsonNode resumeToken, JsonNode preImage) {
    return new ChangeEvent(
        Operation.DELETE,
        "app",
        "orders",
        JSON.objectNode().put("_id", 1),
        null,
        null,
        new Envelope.ClusterTime(1_700_000_000L, 1),
        1_700_000_000_123L,
        resumeToken,
        preImage);
  }

  @Test
  void nullStaysNull() {
    assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
  }

  @Test
  void unknownFormatsAndTruncatedValuesAreSerializationErrors() {
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {9, 'c'}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(TOPIC);
    byte[] bytes = serde.serializer().serialize(TOPIC, pendings().findFirst().orElseThrow());
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, truncated))
        .isInstanceOf(SerializationException.class);
    // JSON is not this format
    assertThatThrownBy(
            () ->
                serde
                    .deserializer()
                    .deserialize(TOPIC, "{\"kind\":\"ping\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasRootCauseMessage("unknown format byte 123");
  }

  @Test
  void trailingBytesAndImpossibleLengthsAreSerializationErrors() {
    byte[] bytes = serde.serializer().serialize(TOPIC, pendings().findFirst().orElseThrow());
    byte[] trailing = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, trailing))
        .isInstanceOf(SerializationException.class)
        .hasRootCauseMessage("1 byte(s) after the value");
    // the format byte, a change, then an operation type of length -2
    byte[] negative = {
      PendingSerde.FORMAT, 'c', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe
    };
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, negative))
        .isInstanceOf(SerializationException.class)
        .hasRootCauseMessage("field length -2 with 0 byte(s) left");
  }
}
