package io.changecast.router.internal.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.router.metrics.Reason;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The same fault of a raw value gets the same rejection from every parser. */
class RawJsonTest {

  private static final List<Function<String, ParseResult>> PARSERS =
      List.of(
          value -> ChangeEventParser.parse("k", value, true),
          value -> ChangeEventParser.parse("k", value, false),
          value -> DebeziumParser.parse("k", value),
          value -> FullDocumentParser.parse("{\"_id\": 1}", value, "app", "orders"));

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          ``          | malformed-json | the value is empty
          `  `        | malformed-json | the value is empty
          [1, 2]      | not-an-object  | expected a JSON object, found array [1,2]
          "text"      | not-an-object  | expected a JSON object, found string "text"
          {"a": 1} x  | malformed-json | Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
          """)
  void sameFaultSameRejection(String value, String reason, String detail) {
    for (Function<String, ParseResult> parser : PARSERS) {
      assertThat(parser.apply(value))
          .isEqualTo(new ParseResult.Invalid(Reason.valueOf(code(reason)), detail));
    }
  }

  @org.junit.jupiter.api.Test
  void nullValueIsTheSameRejectionForChangeEventsAndDebezium() {
    ParseResult expected = new ParseResult.Invalid(Reason.NULL_VALUE, "the record has no value");
    assertThat(ChangeEventParser.parse(null)).isEqualTo(expected);
    assertThat(DebeziumParser.parse("k", (String) null)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void debeziumDocumentFieldsNameWhatWasFound() {
    ParseResult result =
        DebeziumParser.parse(
            null,
            "{\"op\": \"c\", \"source\": {\"db\": \"a\", \"collection\": \"o\"}, \"after\": 5}");
    assertThat(result)
        .isEqualTo(
            new ParseResult.Invalid(
                Reason.INVALID_FIELD,
                "field 'after' should be a JSON document (or a string holding one), found number"
                    + " 5"));
  }

  private static String code(String reason) {
    return reason.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }
}
