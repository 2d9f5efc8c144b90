package io.changecast.router.internal.parse;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.router.metrics.Reason;
import java.util.Locale;

/**
 * Reads raw record values for every parser ({@link ChangeEventParser}, {@link DebeziumParser},
 * {@link FullDocumentParser}), so that the same fault gets the same reason and detail whichever
 * format a topic has. Faults are thrown as {@link ParseProblem}.
 */
final class RawJson {

  private static final int MAX_DETAIL = 200;

  private RawJson() {}

  /**
   * {@code value} as a JSON object.
   *
   * @throws ParseProblem {@code null-value}, {@code malformed-json} (including an empty value) or
   *     {@code not-an-object}
   */
  static ObjectNode object(String value) {
    if (value == null) {
      throw new ParseProblem(Reason.NULL_VALUE, "the record has no value");
    }
    JsonNode root;
    try {
      root = Json.mapper().readTree(value);
    } catch (JacksonException e) {
      throw new ParseProblem(
          Reason.MALFORMED_JSON, Json.abbreviate(e.getOriginalMessage(), MAX_DETAIL));
    }
    if (root == null || root.isMissingNode()) {
      throw new ParseProblem(Reason.MALFORMED_JSON, "the value is empty");
    }
    if (!root.isObject()) {
      throw new ParseProblem(
          Reason.NOT_AN_OBJECT, "expected a JSON object, found " + describe(root));
    }
    return (ObjectNode) root;
  }

  /** {@code node}, or {@code null} when it is absent or JSON {@code null}. */
  static JsonNode present(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? null : node;
  }

  /** An {@code invalid-field} problem naming the field, what it should be and what was found. */
  static ParseProblem wrongType(String path, String expected, JsonNode found) {
    return new ParseProblem(
        Reason.INVALID_FIELD,
        "field '" + path + "' should be " + expected + ", found " + describe(found));
  }

  /** {@code object {"a": 1}}, abbreviated: the node type and its text. */
  static String describe(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT)
        + " "
        + Json.abbreviate(node.toString(), 60);
  }

  /** A fault found while parsing: the reason and detail of the dead letter. No stack trace. */
  static final class ParseProblem extends RuntimeException {
    private final Reason reason;

    ParseProblem(Reason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }

    /** The rejection this problem stands for. */
    ParseResult.Invalid invalid() {
      return new ParseResult.Invalid(reason, getMessage());
    }
  }
}
