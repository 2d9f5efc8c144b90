package io.changecast.spec.internal;

import com.mongodb.MongoException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

/**
 * Runs one test of a unified-format file: {@code initialData}, {@code createEntities}, the
 * operations with their {@code expectResult}/{@code expectError}, then {@code expectEvents} and
 * {@code outcome}. A mismatch throws an {@link AssertionError}; fail points set are turned off and
 * entities closed whatever happens.
 */
public final class TestRun {

  private final SpecServer server;
  private final BsonDocument file;
  private final BsonDocument test;
  private final Entities entities;
  private final Matcher matcher;
  private final Set<String> failPoints = new LinkedHashSet<>();
  private final Operations operations;

  public TestRun(SpecServer server, BsonDocument file, BsonDocument test) {
    this.server = server;
    this.file = file;
    this.test = test;
    this.entities = new Entities(server.connectionString());
    this.matcher = new Matcher(entities);
    this.operations = new Operations(entities, failPoints, this);
  }

  /** Runs the test; throws on the first mismatch. */
  public void run() {
    try {
      killAllSessions();
      initialData();
      entities.create(
          test.getArray("createEntities", file.getArray("createEntities", new BsonArray()))
              .getValues());
      for (BsonValue operation : test.getArray("operations")) {
        operation(operation.asDocument());
      }
      expectEvents();
      outcome();
    } finally {
      entities.close();
      for (String failPoint : failPoints) {
        internalClient()
            .getDatabase("admin")
            .runCommand(
                new BsonDocument("configureFailPoint", new BsonString(failPoint))
                    .append("mode", new BsonString("off")));
      }
    }
  }

  MongoClient internalClient() {
    return server.internalClient();
  }

  /** Runs one operation and checks what it returned or threw. */
  void operation(BsonDocument operation) {
    String name = operation.getString("name").getValue();
    Object result;
    try {
      result = operations.execute(operation);
    } catch (UnsupportedOperationException e) {
      throw new AssertionError("the runner does not support " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (operation.containsKey("expectError")) {
        expectError(name, operation.getDocument("expectError"), e);
        return;
      }
      if (operation.getBoolean("ignoreResultAndError", org.bson.BsonBoolean.FALSE).getValue()) {
        return;
      }
      throw new AssertionError(name + " failed: " + e, e);
    }
    if (operation.containsKey("expectError")) {
      throw new AssertionError(
          name
              + " succeeded ("
              + result
              + "), expected "
              + operation.getDocument("expectError").toJson());
    }
    if (operation.containsKey("expectResult")) {
      BsonValue actual = result instanceof BsonValue v ? v : null;
      matcher.matchRoot(operation.get("expectResult"), actual, name + " result");
    }
    if (operation.containsKey("saveResultAsEntity")) {
      entities.put(
          operation.getString("saveResultAsEntity").getValue(),
          result instanceof MongoCursor<?> || result instanceof BsonValue ? result : null);
    }
  }

  private void expectError(String name, BsonDocument expected, RuntimeException e) {
    String context = name + " threw " + e + ": ";
    for (String key : expected.keySet()) {
      BsonValue value = expected.get(key);
      switch (key) {
        case "isError" -> {}
        case "isClientError" -> {
          boolean client =
              !(e instanceof MongoServerException)
                  && !(e instanceof MongoSocketException)
                  && !(e instanceof MongoTimeoutException);
          check(client == value.asBoolean().getValue(), context + "isClientError " + value);
        }
        case "errorContains" ->
            check(
                String.valueOf(e.getMessage())
                    .toLowerCase(Locale.ROOT)
                    .contains(value.asString().getValue().toLowerCase(Locale.ROOT)),
                context + "errorContains " + value);
        case "errorCode" ->
            check(
                e instanceof MongoServerException s && code(s) == value.asNumber().intValue(),
                context + "errorCode " + value);
        case "errorCodeName" ->
            check(
                e instanceof MongoServerException s
                    && value.asString().getValue().equals(s.getErrorCodeName()),
                context + "errorCodeName " + value);
        case "errorLabelsContain" ->
            value
                .asArray()
                .forEach(
                    label ->
                        check(
                            e instanceof MongoException m
                                && m.hasErrorLabel(label.asString().getValue()),
                            context + "errorLabelsContain " + label));
        case "errorLabelsOmit" ->
            value
                .asArray()
                .forEach(
                    label ->
                        check(
                            !(e instanceof MongoException m
                                && m.hasErrorLabel(label.asString().getValue())),
                            context + "errorLabelsOmit " + label));
        case "expectResult" -> {
          // a partial result (bulk writes) is not produced by the operations these files use
          throw new AssertionError("the runner does not support expectError.expectResult");
        }
        default -> throw new AssertionError("the runner does not support expectError." + key);
      }
    }
  }

  private static int code(MongoServerException e) {
    return e instanceof MongoWriteException w ? w.getError().getCode() : e.getCode();
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  /**
   * As the unified format asks before each test: {@code killAllSessions}, so a transaction a
   * previous test left open (and the documents it has written) does not get in this test's way.
   */
  private void killAllSessions() {
    try {
      internalClient()
          .getDatabase("admin")
          .runCommand(new BsonDocument("killAllSessions", new org.bson.BsonArray()));
    } catch (RuntimeException e) {
      // ignored, as the format says: the server may not know the command
    }
  }

  private void initialData() {
    for (BsonValue value : file.getArray("initialData", new BsonArray())) {
      BsonDocument data = value.asDocument();
      MongoCollection<BsonDocument> collection =
          internalClient()
              .getDatabase(data.getString("databaseName").getValue())
              .getCollection(data.getString("collectionName").getValue(), BsonDocument.class)
              .withWriteConcern(WriteConcern.MAJORITY);
      collection.drop();
      List<BsonDocument> documents = new ArrayList<>();
      data.getArray("documents").forEach(d -> documents.add(d.asDocument()));
      if (data.containsKey("createOptions")) {
        throw new AssertionError("the runner does not support initialData.createOptions");
      }
      if (documents.isEmpty()) {
        internalClient()
            .getDatabase(data.getString("databaseName").getValue())
            .createCollection(
                data.getString("collectionName").getValue(), new CreateCollectionOptions());
      } else {
        collection.insertMany(documents);
      }
    }
  }

  private void expectEvents() {
    for (BsonValue value : test.getArray("expectEvents", new BsonArray())) {
      BsonDocument expectation = value.asDocument();
      String client = expectation.getString("client").getValue();
      String type = expectation.getString("eventType", new BsonString("command")).getValue();
      if (!type.equals("command")) {
        throw new AssertionError("the runner does not support " + type + " events");
      }
      List<BsonValue> expected = expectation.getArray("events").getValues();
      List<CommandLog.Event> actual = entities.log(client).events();
      boolean ignoreExtra =
          expectation.getBoolean("ignoreExtraEvents", org.bson.BsonBoolean.FALSE).getValue();
      String context = "events of " + client + " " + describe(actual);
      if (ignoreExtra ? actual.size() < expected.size() : actual.size() != expected.size()) {
        throw new AssertionError(
            "expected " + expected.size() + " events, got " + actual.size() + ": " + context);
      }
      for (int i = 0; i < expected.size(); i++) {
        matchEvent(expected.get(i).asDocument(), actual.get(i), "event[" + i + "]", context);
      }
    }
  }

  private void matchEvent(
      BsonDocument expected, CommandLog.Event actual, String path, String context) {
    String type = expected.getFirstKey();
    BsonDocument fields = expected.getDocument(type);
    boolean typeMatches =
        switch (type) {
          case "commandStartedEvent" -> actual instanceof CommandLog.Started;
          case "commandSucceededEvent" -> actual instanceof CommandLog.Succeeded;
          case "commandFailedEvent" -> actual instanceof CommandLog.Failed;
          default -> throw new AssertionError("the runner does not support " + type);
        };
    check(typeMatches, path + ": expected a " + type + ", got " + actual + " in " + context);
    try {
      for (String key : fields.keySet()) {
        BsonValue want = fields.get(key);
        switch (key) {
          case "commandName" ->
              matcher.matchStrict(
                  want, new BsonString(actual.commandName()), path + ".commandName");
          case "databaseName" ->
              matcher.matchStrict(
                  want, new BsonString(actual.databaseName()), path + ".databaseName");
          case "command" ->
              matcher.matchRoot(want, ((CommandLog.Started) actual).command(), path + ".command");
          case "reply" ->
              matcher.matchRoot(want, ((CommandLog.Succeeded) actual).reply(), path + ".reply");
          case "hasServiceId", "hasServerConnectionId" -> {}
          default -> throw new AssertionError("the runner does not support event field " + key);
        }
      }
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " in " + context, e);
    }
  }

  private static String describe(List<CommandLog.Event> events) {
    List<String> names = new ArrayList<>();
    for (CommandLog.Event event : events) {
      String text = event.getClass().getSimpleName() + " " + event.commandName();
      if (event instanceof CommandLog.Started started) {
        BsonDocument command = started.command().clone();
        for (String noise : List.of("lsid", "$clusterTime", "$db", "txnNumber")) {
          command.remove(noise);
        }
        text += " " + command.toJson();
      }
      names.add(text);
    }
    return names.toString();
  }

  private void outcome() {
    for (BsonValue value : test.getArray("outcome", new BsonArray())) {
      BsonDocument expected = value.asDocument();
      List<BsonDocument> documents =
          internalClient()
              .getDatabase(expected.getString("databaseName").getValue())
              .getCollection(expected.getString("collectionName").getValue(), BsonDocument.class)
              .find()
              .sort(Sorts.ascending("_id"))
              .into(new ArrayList<>());
      matcher.matchStrict(
          expected.getArray("documents"),
          new BsonArray(documents),
          "outcome " + expected.getString("collectionName").getValue());
    }
  }
}
