package io.changecast.router.internal.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.ChangeEvent;
import io.changecast.router.TenantResolver;
import io.changecast.router.internal.parse.Json;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldTenantResolverTest {

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
    JsonNode doc = Json.mapper().readTree(document);
    ChangeEvent event =
        new ChangeEvent(
            ChangeEvent.Operation.INSERT, "app", "orders", doc, doc, null, null, null, null, null);

    assertThat(TenantResolver.field(path).resolve(event)).isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void aDeleteHasNoDocumentToReadFrom() {
    ChangeEvent delete =
        new ChangeEvent(
            ChangeEvent.Operation.DELETE,
            "app",
            "orders",
            Json.mapper().createObjectNode(),
            null,
            null,
            null,
            null,
            null,
            null);

    assertThat(TenantResolver.field("tenantId").resolve(delete)).isEmpty();
  }

  @Test
  void rejectsEmptyPathSegments() {
    assertThatThrownBy(() -> TenantResolver.field("owner..tenant"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid tenant field path 'owner..tenant'");
  }
}
