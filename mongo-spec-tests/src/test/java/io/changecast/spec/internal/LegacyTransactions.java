package io.changecast.spec.internal;

import java.util.Map;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Rewrites a transactions test file of the legacy format (the {@code transactions/legacy}
 * directory, which predates the unified format) as a unified one, the way the transactions
 * specification maps the two: {@code runOn} to {@code runOnRequirements}, one client with {@code
 * clientOptions}, {@code session0}/{@code session1}, {@code data} to {@code initialData}, the
 * test's {@code failPoint} to a first {@code failPoint} operation, {@code result} to {@code
 * expectResult} or {@code expectError}, {@code command_started_event}s (where {@code null} means
 * "absent", {@code lsid: "session0"} the session's id and {@code 42} any value) to {@code
 * expectEvents}, and {@code outcome.collection} to {@code outcome}. Each test carries its own
 * entities, as its client and session options are its own.
 */
public final class LegacyTransactions {

  private static final Set<String> ERROR_KEYS =
      Set.of(
          "errorContains", "errorCodeName", "errorCode", "errorLabelsContain", "errorLabelsOmit");

  /** Fields whose value {@code 42} in an expected command stands for "any value" (ids, times). */
  private static final Set<String> PLACEHOLDERS =
      Set.of("afterClusterTime", "recoveryToken", "getMore");

  private LegacyTransactions() {}

  /** The unified form of legacy file {@code legacy}. */
  public static BsonDocument convert(BsonDocument legacy) {
    String database = legacy.getString("database_name").getValue();
    String collection = legacy.getString("collection_name").getValue();
    BsonArray requirements = new BsonArray();
    for (BsonValue value : legacy.getArray("runOn", new BsonArray())) {
      BsonDocument requirement = new BsonDocument();
      value
          .asDocument()
          .forEach((key, v) -> requirement.put(key.equals("topology") ? "topologies" : key, v));
      requirements.add(requirement);
    }
    BsonArray tests = new BsonArray();
    for (BsonValue test : legacy.getArray("tests")) {
      tests.add(test(test.asDocument(), database, collection));
    }
    return new BsonDocument("description", new BsonString("legacy transactions"))
        .append("schemaVersion", new BsonString("1.0"))
        .append("runOnRequirements", requirements)
        .append(
            "initialData",
            new BsonArray(
                java.util.List.of(
                    new BsonDocument("collectionName", new BsonString(collection))
                        .append("databaseName", new BsonString(database))
                        .append("documents", legacy.getArray("data", new BsonArray())))))
        .append("tests", tests);
  }

  private static BsonDocument test(BsonDocument legacy, String database, String collection) {
    BsonDocument test = new BsonDocument("description", legacy.get("description"));
    if (legacy.containsKey("skipReason")) {
      test.put("skipReason", legacy.get("skipReason"));
    }
    BsonArray entities = new BsonArray();
    BsonDocument client =
        new BsonDocument("id", new BsonString("client0"))
            .append(
                "observeEvents",
                new BsonArray(java.util.List.of(new BsonString("commandStartedEvent"))));
    if (legacy.containsKey("clientOptions")) {
      client.put("uriOptions", legacy.getDocument("clientOptions"));
    }
    entities.add(new BsonDocument("client", client));
    entities.add(
        new BsonDocument(
            "database",
            new BsonDocument("id", new BsonString("database0"))
                .append("client", new BsonString("client0"))
                .append("databaseName", new BsonString(database))));
    entities.add(collectionEntity("collection0", collection, null));
    BsonDocument sessionOptions = legacy.getDocument("sessionOptions", new BsonDocument());
    for (String session : java.util.List.of("session0", "session1")) {
      BsonDocument spec =
          new BsonDocument("id", new BsonString(session))
              .append("client", new BsonString("client0"));
      if (sessionOptions.containsKey(session)) {
        spec.put("sessionOptions", sessionOptions.get(session));
      }
      entities.add(new BsonDocument("session", spec));
    }
    BsonArray operations = new BsonArray();
    if (legacy.containsKey("failPoint")) {
      operations.add(
          new BsonDocument("name", new BsonString("failPoint"))
              .append("object", new BsonString("testRunner"))
              .append(
                  "arguments",
                  new BsonDocument("client", new BsonString("client0"))
                      .append("failPoint", legacy.get("failPoint"))));
    }
    int n = 0;
    for (BsonValue value : legacy.getArray("operations")) {
      operations.add(operation(value.asDocument(), database, collection, entities, n++));
    }
    // as the legacy runner: end both sessions before the expectations are checked, so a
    // transaction left in progress is aborted (abortTransaction) as its session ends
    for (String session : java.util.List.of("session0", "session1")) {
      operations.add(
          new BsonDocument("name", new BsonString("endSession"))
              .append("object", new BsonString(session)));
    }
    test.put("createEntities", entities);
    test.put("operations", operations);
    if (legacy.containsKey("expectations")) {
      BsonArray events = new BsonArray();
      for (BsonValue value : legacy.getArray("expectations")) {
        BsonDocument started = value.asDocument().getDocument("command_started_event");
        BsonDocument event = new BsonDocument();
        event.put("command", expected(started.get("command")));
        if (started.containsKey("command_name")) {
          event.put("commandName", started.get("command_name"));
        }
        if (started.containsKey("database_name")) {
          event.put("databaseName", started.get("database_name"));
        }
        events.add(new BsonDocument("commandStartedEvent", event));
      }
      test.put(
          "expectEvents",
          new BsonArray(
              java.util.List.of(
                  new BsonDocument("client", new BsonString("client0")).append("events", events))));
    }
    if (legacy.containsKey("outcome")) {
      BsonDocument outcome = legacy.getDocument("outcome").getDocument("collection");
      test.put(
          "outcome",
          new BsonArray(
              java.util.List.of(
                  new BsonDocument(
                          "collectionName", outcome.getString("name", new BsonString(collection)))
                      .append("databaseName", new BsonString(database))
                      .append("documents", outcome.getArray("data")))));
    }
    return test;
  }

  private static BsonDocument collectionEntity(String id, String name, BsonDocument options) {
    BsonDocument spec =
        new BsonDocument("id", new BsonString(id))
            .append("database", new BsonString("database0"))
            .append("collectionName", new BsonString(name));
    if (options != null) {
      spec.put("collectionOptions", options);
    }
    return new BsonDocument("collection", spec);
  }

  private static BsonDocument operation(
      BsonDocument legacy, String database, String collection, BsonArray entities, int index) {
    String name = legacy.getString("name").getValue();
    String object = legacy.getString("object").getValue();
    BsonDocument arguments = legacy.getDocument("arguments", new BsonDocument()).clone();
    String target =
        switch (object) {
          case "collection" -> "collection0";
          case "database" -> "database0";
          default -> object;
        };
    if (legacy.containsKey("collectionOptions")) {
      target = "collection0_" + index;
      entities.add(collectionEntity(target, collection, legacy.getDocument("collectionOptions")));
    }
    if (legacy.containsKey("databaseOptions")) {
      target = "database0_" + index;
      entities.add(
          new BsonDocument(
              "database",
              new BsonDocument("id", new BsonString(target))
                  .append("client", new BsonString("client0"))
                  .append("databaseName", new BsonString(database))
                  .append("databaseOptions", legacy.getDocument("databaseOptions"))));
    }
    if (name.equals("startTransaction") && arguments.containsKey("options")) {
      arguments = arguments.getDocument("options");
    }
    if (name.equals("runCommand") && legacy.containsKey("command_name")) {
      arguments.put("commandName", legacy.get("command_name"));
    }
    if (name.equals("bulkWrite")) {
      BsonArray requests = new BsonArray();
      for (BsonValue request : arguments.getArray("requests")) {
        BsonDocument r = request.asDocument();
        requests.add(new BsonDocument(r.getString("name").getValue(), r.getDocument("arguments")));
      }
      arguments.put("requests", requests);
    }
    if (object.equals("testRunner")) {
      arguments =
          renamed(
              arguments,
              Map.of(
                  "database",
                  "databaseName",
                  "collection",
                  "collectionName",
                  "index",
                  "indexName"));
    }
    BsonDocument operation =
        new BsonDocument("name", new BsonString(name)).append("object", new BsonString(target));
    if (!arguments.isEmpty()) {
      operation.put("arguments", arguments);
    }
    BsonValue result = legacy.get("result");
    if (result != null
        && result.isDocument()
        && result.asDocument().keySet().stream().anyMatch(ERROR_KEYS::contains)) {
      operation.put("expectError", result);
    } else if (legacy.getBoolean("error", BsonBoolean.FALSE).getValue()) {
      operation.put("expectError", new BsonDocument("isError", BsonBoolean.TRUE));
    } else if (result != null) {
      operation.put("expectResult", result);
    }
    return operation;
  }

  private static BsonDocument renamed(BsonDocument document, Map<String, String> names) {
    BsonDocument copy = new BsonDocument();
    document.forEach((key, value) -> copy.put(names.getOrDefault(key, key), value));
    return copy;
  }

  /** An expected command in the legacy notation as a unified expectation. */
  private static BsonValue expected(BsonValue value) {
    if (!value.isDocument()) {
      return value;
    }
    BsonDocument expected = new BsonDocument();
    for (Map.Entry<String, BsonValue> entry : value.asDocument().entrySet()) {
      String key = entry.getKey();
      BsonValue v = entry.getValue();
      if (v.isNull()) {
        expected.put(key, new BsonDocument("$$exists", BsonBoolean.FALSE));
      } else if (key.equals("lsid") && v.isString()) {
        expected.put(key, new BsonDocument("$$sessionLsid", v));
      } else if (PLACEHOLDERS.contains(key) && v.isNumber() && v.asNumber().intValue() == 42) {
        expected.put(key, new BsonDocument("$$exists", BsonBoolean.TRUE));
      } else {
        expected.put(key, expected(v));
      }
    }
    return expected;
  }
}
