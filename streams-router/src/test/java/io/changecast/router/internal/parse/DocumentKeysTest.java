package io.changecast.router.internal.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.changecast.router.event.ChangeEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DocumentKeysTest {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @ParameterizedTest
  @CsvSource({
    "app, orders",
    "'we\"ird', 'back\\slash'",
    "'tab\tand\u0001control', 'Zoë ☃ 𝄞'",
  })
  void isTheCompactJsonOfDatabaseCollectionAndSortedKey(String database, String collection)
      throws Exception {
    JsonNode key =
        JSON.objectNode()
            .put("region", "eu \"west\"")
            .set("_id", JSON.objectNode().put("$oid", "65a1").put("a", 1.5));
    ChangeEvent event =
        new ChangeEvent(
            ChangeEvent.Operation.DELETE,
            database,
            collection,
            key,
            null,
            null,
            null,
            null,
            null,
            null);

    // what earlier versions stored: Jackson writing [db, coll, canonical key]
    String earlier =
        Json.mapper()
            .writeValueAsString(
                Json.mapper()
                    .createArrayNode()
                    .add(database)
                    .add(collection)
                    .add(Json.canonical(key)));
    assertThat(DocumentKeys.of(event))
        .isEqualTo(earlier)
        .startsWith("[")
        .contains("{\"_id\":{\"$oid\":\"65a1\",\"a\":1.5},\"region\"");
  }
}
