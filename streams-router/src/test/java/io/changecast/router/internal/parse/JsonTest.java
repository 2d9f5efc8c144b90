package io.changecast.router.internal.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"_data\": \"8265A1B2C3000000012B022C0100296E5A1004\"}",
        "{\"_id\": {\"$oid\": \"65a1b2c3d4e5f60718293a4b\"}}",
        "{\"z\": \"1\", \"a\": {\"y\": \"q\\\"uote\", \"b\": \"back\\\\slash\"}, \"m\": {}}",
        "{\"tab\\there\": \"line\\nbreak \\u0001 Zoë ☃ 𝄞 </script>\"}",
        "{\"_id\": {\"_data\": \"82\"}, \"copyingData\": true}",
        "{\"_id\": {\"n\": 1}}",
        "{\"a\": {\"b\": {\"c\": \"d\"}}}",
        "{\"_id\": {\"z\": \"1\", \"a\": [\"x\"]}}",
        "{\"b\": 2, \"a\": [{\"d\": 1.5, \"c\": null}]}",
        "\"just text\"",
        "[\"b\", \"a\"]",
        "{}"
      })
  void canonicalStringIsTheCanonicalTreeAsCompactJson(String json) throws Exception {
    var node = Json.mapper().readTree(json);

    assertThat(Json.canonicalString(node)).isEqualTo(Json.canonical(node).toString());
  }
}
