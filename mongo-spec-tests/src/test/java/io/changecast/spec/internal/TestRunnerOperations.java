package io.changecast.spec.internal;

import com.mongodb.client.ClientSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The operations on the {@code testRunner} object: fail points (remembered, so the run can turn
 * them off) and assertions about sessions, collections and the commands a client sent.
 */
final class TestRunnerOperations {

  private final Entities entities;
  private final Set<String> failPoints;
  private final TestRun run;

  TestRunnerOperations(Entities entities, Set<String> failPoints, TestRun run) {
    this.entities = entities;
    this.failPoints = failPoints;
    this.run = run;
  }

  Object execute(String name, Args args) {
    switch (name) {
      case "failPoint" -> {
        BsonDocument failPoint = args.document("failPoint");
        failPoints.add(failPoint.getString("configureFailPoint").getValue());
        entities
            .client(args.string("client"))
            .getDatabase("admin")
            .runCommand(failPoint, BsonDocument.class);
        return null;
      }
      case "targetedFailPoint" -> {
        // a single-member replica set: the session's "pinned" server is the only one
        BsonDocument failPoint = args.document("failPoint");
        String session = args.string("session");
        failPoints.add(failPoint.getString("configureFailPoint").getValue());
        entities
            .client(entities.clientOfSession(session))
            .getDatabase("admin")
            .runCommand(failPoint, BsonDocument.class);
        return null;
      }
      case "assertSessionPinned", "assertSessionUnpinned" -> {
        ClientSession session = args.session();
        boolean pinned = session.getPinnedServerAddress() != null;
        if (pinned != name.equals("assertSessionPinned")) {
          throw new AssertionError(
              name + ": session pinned to " + session.getPinnedServerAddress());
        }
        return null;
      }
      case "assertCollectionExists", "assertCollectionNotExists" -> {
        String database = args.string("databaseName");
        String collection = args.string("collectionName");
        boolean exists =
            run.internalClient()
                .getDatabase(database)
                .listCollectionNames()
                .into(new ArrayList<>())
                .contains(collection);
        if (exists != name.equals("assertCollectionExists")) {
          throw new AssertionError(name + ": " + database + "." + collection);
        }
        return null;
      }
      case "assertSessionTransactionState" -> {
        String expected = args.string("state");
        String actual = SessionState.of(args.session());
        if (!expected.equals(actual)) {
          throw new AssertionError(name + ": expected " + expected + ", got " + actual);
        }
        return null;
      }
      case "assertIndexExists", "assertIndexNotExists" -> {
        String database = args.string("databaseName");
        String collection = args.string("collectionName");
        String index = args.string("indexName");
        boolean exists =
            run
                .internalClient()
                .getDatabase(database)
                .getCollection(collection)
                .listIndexes(BsonDocument.class)
                .into(new ArrayList<>())
                .stream()
                .anyMatch(i -> index.equals(i.getString("name").getValue()));
        if (exists != name.equals("assertIndexExists")) {
          throw new AssertionError(name + ": " + database + "." + collection + " " + index);
        }
        return null;
      }
      case "assertSameLsidOnLastTwoCommands", "assertDifferentLsidOnLastTwoCommands" -> {
        List<CommandLog.Event> events = entities.log(args.string("client")).events();
        List<BsonValue> lsids = new ArrayList<>();
        for (CommandLog.Event event : events) {
          if (event instanceof CommandLog.Started started) {
            lsids.add(started.command().get("lsid"));
          }
        }
        if (lsids.size() < 2) {
          throw new AssertionError(name + ": fewer than two commands");
        }
        boolean same = lsids.get(lsids.size() - 1).equals(lsids.get(lsids.size() - 2));
        if (same != name.equals("assertSameLsidOnLastTwoCommands")) {
          throw new AssertionError(name + ": " + lsids.subList(lsids.size() - 2, lsids.size()));
        }
        return null;
      }
      default -> throw new UnsupportedOperationException("testRunner operation " + name);
    }
  }
}
