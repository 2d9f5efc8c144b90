package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.contract.TenantStrategy;
import io.changecast.router.event.ChangeEvent;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared tenant rule ({@link TenantStrategy}) over the router's Jackson trees. */
class ChangeEventTenantTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      nullValues = "NONE",
      textBlock =
          """
          tenantId       | {"tenantId": "acme"}                          | acme
          tenantId       | {"tenantId": 42}                              | 42
          tenantId       | {"tenantId": {"$oid": "655f0c"}}              | 655f0c
          tenantId       | {"tenantId": {"$numberLong": "9007199254740993"}} | 9007199254740993
          owner.tenant   | {"owner": {"tenant": "acme"}}                 | acme
          tenantId       | {"tenantId": "  "}                            | NONE
          tenantId       | {"tenantId": null}                            | NONE
          tenantId       | {"tenantId": true}                            | NONE
          tenantId       | {"tenantId": 1.5}                             | NONE
          tenantId       | {"tenantId": ["acme"]}                        | NONE
          tenantId       | {"other": "acme"}                             | NONE
          owner.tenant   | {"owner": "acme"}                             | NONE
          """)
  void readsTheTenantField(String path, String document, String expected) throws Exception {
    JsonNode doc = JSON.readTree(document);
    ChangeEvent event =
        new ChangeEvent(
            ChangeEvent.Operation.INSERT, "app", "orders", doc, doc, null, null, null, null, null);

    assertThat(event.tenant(TenantStrategy.Field.of(path)))
        .isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void aDeleteHasNoDocumentToReadFrom() {
    ChangeEvent delete = delete("app", "orders", null);

    assertThat(delete.tenant(TenantStrategy.parse("field:tenantId"))).isEmpty();
  }

  @Test
  void aDeleteWithAPreImageReadsIt() throws Exception {
    ChangeEvent delete =
        delete("acme_db", "acme_orders", JSON.readTree("{\"tenantId\": \"acme\"}"));

    assertThat(delete.tenant(TenantStrategy.parse("field:tenantId"))).contains("acme");
    assertThat(delete.tenant(TenantStrategy.parse("database"))).contains("acme_db");
    assertThat(delete.tenant(TenantStrategy.parse("collection-prefix:_"))).contains("acme");
    assertThat(delete.tenant(TenantStrategy.parse("static:shared"))).contains("shared");
  }

  @Test
  void rejectsEmptyPathSegments() {
    assertThatThrownBy(() -> TenantStrategy.parse("field:owner..tenant"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid tenant field path 'owner..tenant'");
  }

  /** A delete of {@code db.coll}: no post-image, the pre-image {@code before} (or none). */
  private static ChangeEvent delete(String db, String coll, JsonNode before) {
    return new ChangeEvent(
        ChangeEvent.Operation.DELETE,
        db,
        coll,
        JSON.createObjectNode(),
        null,
        null,
        null,
        null,
        null,
        before);
  }
}
