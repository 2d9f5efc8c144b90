package io.changecast.router.internal.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.Envelope;
import io.changecast.router.metrics.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChangeEventParserTest {

  private static final String NS = "\"ns\": {\"db\": \"app\", \"coll\": \"orders\"}";
  private static final String KEY = "\"documentKey\": {\"_id\": 1}";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1700000000123",
        "\"2023-11-14T22:13:20.123Z\"",
        "\"2023-11-14T23:13:20.123+01:00\"",
        "{\"$numberLong\": \"1700000000123\"}"
      })
  void acceptsEveryDateForm(String date) {
    ChangeEvent event =
        parsed(
            "{\"operationType\": \"delete\", %s, %s, \"wallTime\": {\"$date\": %s}}"
                .formatted(NS, KEY, date));

    assertThat(event.wallTime()).isEqualTo(1_700_000_000_123L);
  }

  @Test
  void readsAWellFormedUpdate() {
    ChangeEvent event =
        parsed(
            """
            {"_id": {"_data": "8265"}, "operationType": "update", %s, %s,
             "clusterTime": {"$timestamp": {"t": 4294967295, "i": 7}},
             "updateDescription": {"updatedFields": {"a.b": 1}}}"""
                .formatted(NS, KEY));

    assertThat(event.operation()).isEqualTo(ChangeEvent.Operation.UPDATE);
    assertThat(event.database()).isEqualTo("app");
    assertThat(event.collection()).isEqualTo("orders");
    assertThat(event.document()).isNull();
    assertThat(event.clusterTime()).isEqualTo(new Envelope.ClusterTime(4_294_967_295L, 7));
    assertThat(event.wallTime()).isNull();
    assertThat(event.resumeToken().get("_data").asText()).isEqualTo("8265");
    assertThat(event.changes().updatedFields().toString()).isEqualTo("{\"a.b\":1}");
    assertThat(event.changes().removedFields().toString()).isEqualTo("[]");
    assertThat(event.changes().truncatedArrays().toString()).isEqualTo("[]");
  }

  @Test
  void ignoresADeletesNullFullDocument() {
    ChangeEvent event =
        parsed(
            "{\"operationType\": \"delete\", %s, %s, \"fullDocument\": null}".formatted(NS, KEY));

    assertThat(event.document()).isNull();
    assertThat(event.changes()).isNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          {"ns": {"db": "app", "coll": "orders"}, "documentKey": {}}            | missing-field   | missing field 'operationType'
          {"operationType": "insert", "documentKey": {}}                        | missing-field   | missing field 'ns'
          {"operationType": "insert", "ns": {"coll": "o"}, "documentKey": {}}   | missing-field   | missing field 'ns.db'
          {"operationType": "insert", "ns": {"db": "a"}, "documentKey": {}}     | missing-field   | missing field 'ns.coll'
          {"operationType": "insert", "ns": {"db": "a", "coll": "o"}}           | missing-field   | missing field 'documentKey'
          {"operationType": 3}                                                  | invalid-field   | field 'operationType' should be a string, found number 3
          {"operationType": "delete", "ns": {"db": "a", "coll": "o"}, "documentKey": 5} | invalid-field | field 'documentKey' should be an object, found number 5
          {"operationType": "reshardBegin"}                                     | unsupported-operation | operationType 'reshardBegin' is not a document change (insert, update, replace, delete) nor drop, rename, dropDatabase or invalidate
          {"operationType": "rename", "ns": {"db": "a", "coll": "o"}}           | missing-field   | missing field 'to'
          {"operationType": "rename", "ns": {"db": "a", "coll": "o"}, "to": {"db": "a"}} | missing-field | missing field 'to.coll'
          {"operationType": "drop", "ns": {"db": "a"}}                          | missing-field   | missing field 'ns.coll'
          {"operationType": "dropDatabase"}                                     | missing-field   | missing field 'ns'
          """)
  void namesTheProblem(String json, String reason, String detail) {
    ParseResult result = ChangeEventParser.parse(json);

    assertThat(result).isEqualTo(new ParseResult.Invalid(reasonOf(reason), detail));
  }

  @Test
  void namesAnUnreadableDate() {
    ParseResult result =
        ChangeEventParser.parse(
            "{\"operationType\": \"delete\", %s, %s, \"wallTime\": {\"$date\": \"yesterday\"}}"
                .formatted(NS, KEY));

    assertThat(result)
        .isEqualTo(
            new ParseResult.Invalid(
                Reason.INVALID_FIELD,
                "field 'wallTime' should be {\"$date\": <millis> | \"<ISO-8601>\" |"
                    + " {\"$numberLong\": \"<millis>\"}}, found object {\"$date\":\"yesterday\"}"));
  }

  @Test
  void nullAndGarbageAreInvalidNotExceptions() {
    assertThat(ChangeEventParser.parse(null))
        .isEqualTo(new ParseResult.Invalid(Reason.NULL_VALUE, "the record has no value"));
    assertThat(ChangeEventParser.parse("\u0000\uFFFD"))
        .isInstanceOfSatisfying(
            ParseResult.Invalid.class,
            invalid -> assertThat(invalid.reason()).isEqualTo(Reason.MALFORMED_JSON));
    assertThat(ChangeEventParser.parse("[".repeat(5000)))
        .isInstanceOfSatisfying(
            ParseResult.Invalid.class,
            invalid -> assertThat(invalid.reason()).isEqualTo(Reason.MALFORMED_JSON));
  }

  private static Reason reasonOf(String code) {
    for (Reason reason : Reason.values()) {
      if (reason.code().equals(code)) {
        return reason;
      }
    }
    throw new IllegalArgumentException(code);
  }

  private static ChangeEvent parsed(String json) {
    ParseResult result = ChangeEventParser.parse(json);
    assertThat(result).isInstanceOf(ParseResult.Parsed.class);
    return ((ParseResult.Parsed) result).event();
  }
}
