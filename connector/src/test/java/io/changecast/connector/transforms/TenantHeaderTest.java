package io.changecast.connector.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TenantHeaderTest {

  private final TenantHeader<SourceRecord> value = new TenantHeader.Value<>();
  private final TenantHeader<SourceRecord> key = new TenantHeader.Key<>();

  @AfterEach
  void close() {
    value.close();
    key.close();
  }

  private static SourceRecord record(Schema keySchema, Object k, Schema valueSchema, Object v) {
    return new SourceRecord(
        Map.of(), Map.of(), "changecast.raw.app.orders", null, keySchema, k, valueSchema, v);
  }

  private static String tenant(SourceRecord record) {
    Header header = record.headers().lastWithName("changecast.tenant");
    return header == null ? null : (String) header.value();
  }

  @Test
  void readsJsonTextLikeTheRawTopics() {
    value.configure(Map.of("field", "fullDocument.tenantId, fullDocumentBeforeChange.tenantId"));
    String insert =
        "{\"operationType\": \"insert\", \"fullDocument\": {\"_id\": 1, \"tenantId\": \"acme\"}}";
    String delete =
        "{\"operationType\": \"delete\", \"fullDocumentBeforeChange\": {\"tenantId\": \"globex\"}}";

    SourceRecord transformed = value.apply(record(null, "k", Schema.STRING_SCHEMA, insert));

    assertThat(tenant(transformed)).isEqualTo("acme");
    assertThat(transformed.value()).isEqualTo(insert);
    assertThat(transformed.key()).isEqualTo("k");
    assertThat(tenant(value.apply(record(null, "k", null, delete)))).isEqualTo("globex");
  }

  @Test
  void readsSchemalessMaps() {
    value.configure(Map.of("field", "owner.tenant"));
    Map<String, Object> doc = Map.of("owner", Map.of("tenant", 42));

    assertThat(tenant(value.apply(record(null, null, null, doc)))).isEqualTo("42");
  }

  @Test
  void readsStructsWithSchema() {
    Schema owner = SchemaBuilder.struct().field("tenant", Schema.STRING_SCHEMA).build();
    Schema schema =
        SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("owner", owner).build();
    Struct struct =
        new Struct(schema).put("id", 1).put("owner", new Struct(owner).put("tenant", "acme"));
    key.configure(Map.of("field", "owner.tenant", "header", "tenant"));

    SourceRecord transformed = key.apply(record(schema, struct, null, null));

    assertThat(transformed.headers().lastWithName("tenant").value()).isEqualTo("acme");
    assertThat(transformed.keySchema()).isSameAs(schema);

    Schema oid = SchemaBuilder.struct().field("$oid", Schema.STRING_SCHEMA).build();
    Schema byOid = SchemaBuilder.struct().field("tenantId", oid).build();
    Struct document =
        new Struct(byOid).put("tenantId", new Struct(oid).put("$oid", "5f1d7a3b9c8e4f0012345678"));
    key.configure(Map.of("field", "tenantId"));

    assertThat(tenant(key.apply(record(byOid, document, null, null))))
        .isEqualTo("5f1d7a3b9c8e4f0012345678");
  }

  @Test
  void replacesAnExistingHeaderAndLeavesTheOriginalRecordAlone() {
    value.configure(Map.of("field", "tenantId"));
    SourceRecord original = record(null, null, null, "{\"tenantId\": \"acme\"}");
    original.headers().addString("changecast.tenant", "stale");

    SourceRecord transformed = value.apply(original);

    assertThat(transformed.headers().allWithName("changecast.tenant"))
        .toIterable()
        .extracting(Header::value)
        .containsExactly("acme");
    assertThat(tenant(original)).isEqualTo("stale");
  }

  @Test
  void missingTenantSkipsByDefaultOrFails() {
    value.configure(Map.of("field", "fullDocument.tenantId"));
    SourceRecord delete = record(null, null, null, "{\"operationType\": \"delete\"}");
    assertThat(value.apply(delete)).isSameAs(delete);
    assertThat(value.apply(record(null, null, null, null)).headers()).isEmpty();
    assertThat(
            tenant(value.apply(record(null, null, null, "{\"fullDocument\": {\"tenantId\": {}}}"))))
        .isNull();

    value.configure(Map.of("field", "fullDocument.tenantId", "on.missing", "fail"));
    assertThatThrownBy(() -> value.apply(delete))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "No field of [fullDocument.tenantId] holds a tenant for [tenant header] in the record"
                + " value of topic changecast.raw.app.orders");
  }

  @Test
  void keysByTenantFromTheNamespaceForTenantPartitionedRawTopics() {
    value.configure(Map.of("field", "ns.db", "key", "true"));
    String insert = "{\"operationType\": \"insert\", \"ns\": {\"db\": \"acme\", \"coll\": \"o\"}}";

    SourceRecord byDatabase = value.apply(record(null, "{\"_id\": 1}", null, insert));

    assertThat(byDatabase.key()).isEqualTo("acme");
    assertThat(byDatabase.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
    assertThat(byDatabase.value()).isEqualTo(insert);
    assertThat(tenant(byDatabase)).isEqualTo("acme");

    value.configure(Map.of("field", "ns.coll", "prefix.separator", "_", "key", "true"));
    String prefixed = "{\"ns\": {\"db\": \"app\", \"coll\": \"globex_orders\"}}";
    String unprefixed = "{\"ns\": {\"db\": \"app\", \"coll\": \"_orders\"}}";
    String dropDatabase = "{\"operationType\": \"dropDatabase\", \"ns\": {\"db\": \"app\"}}";

    assertThat(value.apply(record(null, "k", null, prefixed)).key()).isEqualTo("globex");
    SourceRecord none = record(null, "k", null, unprefixed);
    assertThat(value.apply(none)).isSameAs(none); // no tenant: key and headers as they were
    SourceRecord drop = record(null, "k", null, dropDatabase);
    assertThat(value.apply(drop)).isSameAs(drop);
  }

  @Test
  void aRecordWithItsPartitionChosenKeepsKeyAndPartitionAndIsNeverFailed() {
    // the source connector's copies of a namespace-wide event, one per raw partition
    value.configure(
        Map.of("field", "ns.coll", "prefix.separator", "_", "key", "true", "on.missing", "fail"));
    String dropDatabase = "{\"operationType\": \"dropDatabase\", \"ns\": {\"db\": \"app\"}}";
    for (int partition = 0; partition < 3; partition++) {
      SourceRecord copy =
          new SourceRecord(
              Map.of(),
              Map.of(),
              "changecast.raw.app",
              partition,
              Schema.STRING_SCHEMA,
              "{\"db\": \"app\"}",
              Schema.STRING_SCHEMA,
              dropDatabase);
      assertThat(value.apply(copy)).isSameAs(copy);
    }

    value.configure(Map.of("field", "ns.db", "key", "true"));
    String drop = "{\"operationType\": \"drop\", \"ns\": {\"db\": \"acme\", \"coll\": \"o\"}}";
    SourceRecord copy =
        new SourceRecord(
            Map.of(), Map.of(), "changecast.raw.acme.o", 2, null, "{\"_id\": 1}", null, drop);
    SourceRecord placed = value.apply(copy);
    assertThat(placed.kafkaPartition()).isEqualTo(2);
    assertThat(placed.key()).isEqualTo("{\"_id\": 1}"); // not rekeyed
    assertThat(placed.keySchema()).isNull();
    assertThat(tenant(placed)).isEqualTo("acme"); // the header still names the tenant
  }

  @Test
  void unsupportedDataIsNamed() {
    value.configure(Map.of("field", "tenantId"));

    assertThatThrownBy(() -> value.apply(record(null, null, Schema.INT64_SCHEMA, 5L)))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Only Struct, Map or JSON text objects supported for [tenant header], found:"
                + " java.lang.Long");
    assertThatThrownBy(() -> value.apply(record(null, null, null, "not json")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("The record value is not JSON text for [tenant header]: ");
  }

  @Test
  void configIsValidatedLikeKafkasOwn() {
    assertThatThrownBy(() -> value.configure(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Missing required configuration \"field\"");
    assertThatThrownBy(() -> value.configure(Map.of("field", "a..b")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value [a..b] for configuration field: each path must be a field name or a"
                + " dotted path like a.b");
    Map<String, String> badPolicy = new HashMap<>(Map.of("field", "a", "on.missing", "ignore"));
    assertThatThrownBy(() -> value.configure(badPolicy))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value ignore for configuration on.missing: String must be one of: skip,"
                + " fail");
    assertThat(value.config()).isSameAs(TenantHeader.CONFIG_DEF);
    assertThat(TenantHeader.CONFIG_DEF.names())
        .containsExactlyInAnyOrder("field", "header", "on.missing", "key", "prefix.separator");
  }

  @Test
  @SuppressWarnings("rawtypes")
  void bothVariantsAreServiceLoaded() {
    List<String> found =
        ServiceLoader.load(Transformation.class).stream()
            .map(p -> p.type().getName())
            .filter(n -> n.startsWith("io.changecast."))
            .toList();

    assertThat(found)
        .containsExactlyInAnyOrder(
            TenantHeader.Key.class.getName(), TenantHeader.Value.class.getName());
  }
}
