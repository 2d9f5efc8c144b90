package io.changecast.spec.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;

/**
 * The unified test format's "evaluating matches": root-level documents may carry extra fields,
 * nested ones may not; numbers compare by value; {@code $$exists}, {@code $$type}, {@code
 * $$unsetOrMatches}, {@code $$matchesEntity}, {@code $$sessionLsid}, {@code $$matchesHexBytes} and
 * {@code $$lte} are operators. A mismatch throws an {@link AssertionError} naming the path.
 */
public final class Matcher {

  private static final Map<String, Set<BsonType>> TYPES =
      Map.ofEntries(
          Map.entry("double", Set.of(BsonType.DOUBLE)),
          Map.entry("string", Set.of(BsonType.STRING)),
          Map.entry("object", Set.of(BsonType.DOCUMENT)),
          Map.entry("array", Set.of(BsonType.ARRAY)),
          Map.entry("binData", Set.of(BsonType.BINARY)),
          Map.entry("undefined", Set.of(BsonType.UNDEFINED)),
          Map.entry("objectId", Set.of(BsonType.OBJECT_ID)),
          Map.entry("bool", Set.of(BsonType.BOOLEAN)),
          Map.entry("date", Set.of(BsonType.DATE_TIME)),
          Map.entry("null", Set.of(BsonType.NULL)),
          Map.entry("regex", Set.of(BsonType.REGULAR_EXPRESSION)),
          Map.entry("dbPointer", Set.of(BsonType.DB_POINTER)),
          Map.entry("javascript", Set.of(BsonType.JAVASCRIPT)),
          Map.entry("symbol", Set.of(BsonType.SYMBOL)),
          Map.entry("javascriptWithScope", Set.of(BsonType.JAVASCRIPT_WITH_SCOPE)),
          Map.entry("int", Set.of(BsonType.INT32)),
          Map.entry("timestamp", Set.of(BsonType.TIMESTAMP)),
          Map.entry("long", Set.of(BsonType.INT64)),
          Map.entry("decimal", Set.of(BsonType.DECIMAL128)),
          Map.entry("minKey", Set.of(BsonType.MIN_KEY)),
          Map.entry("maxKey", Set.of(BsonType.MAX_KEY)),
          Map.entry(
              "number",
              Set.of(BsonType.INT32, BsonType.INT64, BsonType.DOUBLE, BsonType.DECIMAL128)));

  private final Entities entities;

  public Matcher(Entities entities) {
    this.entities = entities;
  }

  /** Matches {@code actual} against {@code expected} as a root-level value. */
  public void matchRoot(BsonValue expected, BsonValue actual, String path) {
    match(expected, actual, path, true);
  }

  /** Matches {@code actual} against {@code expected} with no extra fields anywhere. */
  public void matchStrict(BsonValue expected, BsonValue actual, String path) {
    match(expected, actual, path, false);
  }

  private void match(BsonValue expected, BsonValue actual, String path, boolean root) {
    if (expected.isDocument() && isOperator(expected.asDocument())) {
      operator(expected.asDocument(), actual, path, root);
      return;
    }
    if (actual == null) {
      throw mismatch(path, expected, "nothing");
    }
    if (expected.isDocument()) {
      if (!actual.isDocument()) {
        throw mismatch(path, expected, actual);
      }
      BsonDocument want = expected.asDocument();
      BsonDocument have = actual.asDocument();
      for (Map.Entry<String, BsonValue> entry : want.entrySet()) {
        match(entry.getValue(), have.get(entry.getKey()), path + "." + entry.getKey(), false);
      }
      if (!root) {
        for (String key : have.keySet()) {
          if (!want.containsKey(key)) {
            throw new AssertionError(path + ": unexpected field " + key + " in " + have.toJson());
          }
        }
      }
    } else if (expected.isArray()) {
      if (!actual.isArray()) {
        throw mismatch(path, expected, actual);
      }
      List<BsonValue> want = expected.asArray().getValues();
      List<BsonValue> have = actual.asArray().getValues();
      if (want.size() != have.size()) {
        throw new AssertionError(
            path + ": expected " + want.size() + " elements, got " + have.size() + ": " + actual);
      }
      for (int i = 0; i < want.size(); i++) {
        match(want.get(i), have.get(i), path + "[" + i + "]", root);
      }
    } else if (expected.isNumber()) {
      if (!actual.isNumber() || number(expected) != number(actual)) {
        throw mismatch(path, expected, actual);
      }
    } else if (!expected.equals(actual)) {
      throw mismatch(path, expected, actual);
    }
  }

  private void operator(BsonDocument operator, BsonValue actual, String path, boolean root) {
    String name = operator.getFirstKey();
    BsonValue argument = operator.get(name);
    switch (name) {
      case "$$exists" -> {
        if (argument.asBoolean().getValue() != (actual != null)) {
          throw new AssertionError(
              path + ": expected " + (actual == null ? "a value" : "no value, got " + actual));
        }
      }
      case "$$type" -> {
        List<BsonValue> names =
            argument.isArray() ? argument.asArray().getValues() : List.of(argument);
        boolean ok =
            actual != null
                && names.stream()
                    .anyMatch(
                        n ->
                            TYPES
                                .getOrDefault(n.asString().getValue(), Set.of())
                                .contains(actual.getBsonType()));
        if (!ok) {
          throw mismatch(path, operator, actual == null ? "nothing" : actual.getBsonType());
        }
      }
      case "$$unsetOrMatches" -> {
        if (actual != null) {
          match(argument, actual, path, root);
        }
      }
      case "$$matchesEntity" ->
          match(entities.value(argument.asString().getValue()), actual, path, root);
      case "$$sessionLsid" -> {
        BsonDocument lsid = entities.lsid(argument.asString().getValue());
        if (!lsid.equals(actual)) {
          throw mismatch(path, lsid, actual);
        }
      }
      case "$$matchesHexBytes" -> {
        String hex = argument.asString().getValue().toLowerCase(java.util.Locale.ROOT);
        if (actual == null
            || !actual.isBinary()
            || !hex.equals(java.util.HexFormat.of().formatHex(actual.asBinary().getData()))) {
          throw mismatch(path, operator, actual);
        }
      }
      case "$$lte" -> {
        if (actual == null || !actual.isNumber() || number(actual) > number(argument)) {
          throw mismatch(path, operator, actual);
        }
      }
      default -> throw new UnsupportedOperationException("match operator " + name);
    }
  }

  private static boolean isOperator(BsonDocument document) {
    return document.size() == 1 && document.getFirstKey().startsWith("$$");
  }

  private static double number(BsonValue value) {
    return value.isDecimal128()
        ? value.asDecimal128().getValue().doubleValue()
        : value.asNumber().doubleValue();
  }

  private static AssertionError mismatch(String path, Object expected, Object actual) {
    String want = expected instanceof BsonValue v ? json(v) : String.valueOf(expected);
    String have = actual instanceof BsonValue v ? json(v) : String.valueOf(actual);
    return new AssertionError(path + ": expected " + want + ", got " + have);
  }

  private static String json(BsonValue value) {
    if (value.isDocument()) {
      return value.asDocument().toJson();
    }
    String wrapped = new BsonDocument("v", value).toJson();
    return wrapped.substring("{\"v\": ".length(), wrapped.length() - 1);
  }
}
