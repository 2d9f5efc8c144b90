package io.changecast.connector.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.contract.TenantStrategy;
import io.changecast.router.event.ChangeEvent;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The transform keys a raw record by exactly the tenant the router resolves for the same document
 * under {@code field:tenantId}, for every shape the field's value can take.
 */
class TenantHeaderRouterRuleTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          string        | {"tenantId": "acme"}                                 | acme
          blank string  | {"tenantId": "  "}                                   | -
          int           | {"tenantId": 42}                                     | 42
          long          | {"tenantId": 9007199254740993}                       | 9007199254740993
          $oid          | {"tenantId": {"$oid": "5f1d7a3b9c8e4f0012345678"}}   | 5f1d7a3b9c8e4f0012345678
          $numberLong   | {"tenantId": {"$numberLong": "123456789012"}}        | 123456789012
          boolean       | {"tenantId": true}                                   | -
          double        | {"tenantId": 4.5}                                    | -
          object        | {"tenantId": {"name": "acme"}}                       | -
          array         | {"tenantId": ["acme"]}                               | -
          null          | {"tenantId": null}                                   | -
          missing       | {"name": "acme"}                                     | -
          """)
  void keysByTheRoutersTenant(String shape, String document, String expected) throws Exception {
    JsonNode doc = JSON.readTree(document);
    Optional<String> routers =
        new ChangeEvent(
                ChangeEvent.Operation.INSERT,
                "app",
                "orders",
                null,
                doc,
                null,
                null,
                null,
                null,
                null)
            .tenant(TenantStrategy.parse("field:tenantId"));
    String insert =
        "{\"operationType\": \"insert\", \"ns\": {\"db\": \"app\", \"coll\": \"orders\"},"
            + " \"fullDocument\": "
            + document
            + "}";
    Map<String, Object> asMap = Map.of("fullDocument", JSON.readValue(document, Map.class));

    for (Object value : new Object[] {insert, asMap}) {
      TenantHeader<SourceRecord> transform = new TenantHeader.Value<>();
      transform.configure(Map.of("field", "fullDocument.tenantId", "key", "true"));
      SourceRecord record =
          new SourceRecord(
              Map.of(), Map.of(), "changecast.raw.app.orders", null, null, "k", null, value);

      SourceRecord keyed = transform.apply(record);
      transform.close();

      Header header = keyed.headers().lastWithName("changecast.tenant");
      assertThat(routers).isEqualTo(Optional.ofNullable(expected));
      if (routers.isPresent()) {
        assertThat(keyed.key()).isEqualTo(routers.get());
        assertThat(header.value()).isEqualTo(routers.get());
      } else {
        assertThat(keyed).isSameAs(record);
        assertThat(header).isNull();
      }
    }
  }
}
