package io.changecast.spec.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

/** The unified format's matching rules, as the runner applies them. */
class MatcherTest {

  private final Entities entities = new Entities("mongodb://unused");
  private final Matcher matcher = new Matcher(entities);

  private static BsonDocument doc(String json) {
    return BsonDocument.parse(json);
  }

  @Test
  void rootDocumentsMayHaveExtraFieldsNestedOnesMayNot() {
    assertThatCode(() -> matcher.matchRoot(doc("{a: 1}"), doc("{a: 1, b: 2}"), "r"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> matcher.matchRoot(doc("{a: {x: 1}}"), doc("{a: {x: 1, y: 2}}"), "r"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("r.a: unexpected field y");
    assertThatThrownBy(() -> matcher.matchStrict(doc("{a: 1}"), doc("{a: 1, b: 2}"), "r"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void numbersCompareByValueOtherValuesExactly() {
    assertThatCode(() -> matcher.matchRoot(doc("{n: 1}"), doc("{n: {$numberLong: \"1\"}}"), "r"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> matcher.matchRoot(doc("{n: 1}"), doc("{n: 2}"), "r"))
        .hasMessageContaining("r.n: expected 1");
    assertThatThrownBy(() -> matcher.matchRoot(doc("{s: 'a'}"), doc("{s: 'b'}"), "r"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> matcher.matchRoot(doc("{a: [1, 2]}"), doc("{a: [1]}"), "r"))
        .hasMessageContaining("expected 2 elements");
  }

  @Test
  void existsTypeAndUnsetOrMatchesOperators() {
    assertThatCode(
            () ->
                matcher.matchRoot(
                    doc(
                        "{a: {$$exists: true}, b: {$$exists: false}, c: {$$type: ['int', 'long']}}"),
                    doc("{a: 'x', c: 5}"),
                    "r"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> matcher.matchRoot(doc("{b: {$$exists: false}}"), doc("{b: 1}"), "r"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> matcher.matchRoot(doc("{c: {$$type: 'string'}}"), doc("{c: 1}"), "r"))
        .isInstanceOf(AssertionError.class);
    assertThatCode(() -> matcher.matchRoot(doc("{u: {$$unsetOrMatches: 1}}"), doc("{}"), "r"))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () -> matcher.matchRoot(doc("{u: {$$unsetOrMatches: 1}}"), doc("{u: 2}"), "r"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void matchesEntityComparesWithASavedValue() {
    entities.put("token", new BsonString("abc"));
    assertThatCode(
            () -> matcher.matchRoot(doc("{t: {$$matchesEntity: 'token'}}"), doc("{t: 'abc'}"), "r"))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () -> matcher.matchRoot(doc("{t: {$$matchesEntity: 'token'}}"), doc("{t: 'x'}"), "r"))
        .isInstanceOf(AssertionError.class);
  }
}
