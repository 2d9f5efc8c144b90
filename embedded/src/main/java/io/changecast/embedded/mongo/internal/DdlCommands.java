package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.netty.channel.Channel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The DDL commands whose change events MongoDB 7.0 reports: {@code renameCollection} ({@code
 * rename}, with {@code to}; a replaced target records no {@code drop}), {@code dropDatabase} (the
 * collections' {@code drop}s, then {@code dropDatabase}), {@code create} with {@code
 * changeStreamPreAndPostImages}, {@code collMod} ({@code modify}), {@code createIndexes} and {@code
 * dropIndexes} (one event per index). Collection drops and creations are recorded where they happen
 * ({@link CapturingCollection}, {@link CapturingDatabase}).
 */
final class DdlCommands {

  /** What the commands need from the backend. */
  interface Server {
    /** Runs {@code command} as mongo-java-server would. */
    Document run(Channel channel, String databaseName, String command, Document query);

    /** The database, when it exists. */
    MongoDatabase database(String databaseName);

    /** Drops a collection as mongo-java-server does. */
    void dropCollection(String databaseName, String collectionName);
  }

  /** Collection options MongoDB keeps; the rest of a {@code create} are command fields. */
  private static final Set<String> CREATE_OPTIONS =
      Set.of(
          "capped",
          "size",
          "max",
          "validator",
          "validationLevel",
          "validationAction",
          "changeStreamPreAndPostImages",
          "clusteredIndex",
          "expireAfterSeconds",
          "timeseries",
          "collation",
          "viewOn",
          "pipeline",
          "storageEngine",
          "indexOptionDefaults");

  /** Fields every command may carry. */
  private static final Set<String> GENERIC_FIELDS =
      Set.of(
          "lsid",
          "txnNumber",
          "autocommit",
          "startTransaction",
          "writeConcern",
          "readConcern",
          "comment",
          "apiVersion",
          "apiStrict",
          "apiDeprecationErrors",
          "maxTimeMS");

  private static final Set<String> COLL_MOD_OPTIONS =
      Set.of(
          "changeStreamPreAndPostImages",
          "validator",
          "validationLevel",
          "validationAction",
          "index",
          "expireAfterSeconds",
          "viewOn",
          "pipeline",
          "dryRun");

  private final ChangeHistory history;
  private final Server server;

  DdlCommands(ChangeHistory history, Server server) {
    this.history = history;
    this.server = server;
  }

  Document renameCollection(Channel channel, String command, Document query) {
    String from = String.valueOf(query.get(command));
    String to = String.valueOf(query.get("to"));
    CapturingCollection source = captured(from);
    if (source == null || from.equals(to)) {
      return server.run(channel, "admin", command, query);
    }
    String toDb = Utils.getDatabaseNameFromFullName(to);
    String toColl = Utils.getCollectionNameFromFullName(to);
    CapturingCollection target = captured(to);
    UUID droppedTarget = null;
    if (target != null && Utils.isTrue(query.get("dropTarget"))) {
      droppedTarget = target.uuid();
      target.dropSilently(() -> server.dropCollection(toDb, toColl));
    }
    String fromDb = source.getDatabaseName();
    String fromColl = source.getCollectionName();
    Document reply = server.run(channel, "admin", command, query);
    Document description = new Document("to", new Document("db", toDb).append("coll", toColl));
    if (droppedTarget != null) {
      description.append("dropTarget", droppedTarget);
    }
    history.append(ChangeType.RENAME, fromDb, fromColl, description, source.uuid());
    return reply;
  }

  Document dropDatabase(Channel channel, String databaseName, String command, Document query) {
    // MongoDB logs no dropDatabase for a database without collections (it does not exist)
    boolean existed = hasCollections(channel, databaseName);
    Document reply = server.run(channel, databaseName, command, query);
    if (existed && CapturingCollection.isCaptured(databaseName, "any")) {
      history.append(ChangeType.DROP_DATABASE, databaseName, null, null, null);
    }
    return reply;
  }

  Document create(Channel channel, String databaseName, String command, Document query) {
    Document options = new Document();
    Document forBackend = new Document();
    query.forEach(
        (key, value) -> {
          if (CREATE_OPTIONS.contains(key)) {
            options.put(key, value);
          }
          if (!key.equals("changeStreamPreAndPostImages")) {
            forBackend.put(key, value);
          }
        });
    return CapturingDatabase.creating(
        options, () -> server.run(channel, databaseName, command, forBackend));
  }

  Document collMod(Channel channel, String databaseName, String command, Document query) {
    String name = String.valueOf(query.get(command));
    CapturingCollection collection = captured(databaseName + "." + name);
    if (collection == null) {
      throw new MongoServerError(26, "NamespaceNotFound", "ns does not exist");
    }
    Document description = new Document();
    for (Map.Entry<String, Object> entry : query.entrySet()) {
      String key = entry.getKey();
      if (key.equals(command) || key.startsWith("$") || GENERIC_FIELDS.contains(key)) {
        continue;
      }
      if (!COLL_MOD_OPTIONS.contains(key)) {
        throw new MongoServerError(
            40415, "Location40415", "BSON field 'collMod." + key + "' is an unknown field.");
      }
      description.put(key, entry.getValue());
    }
    Document oldOptions = new Document("uuid", collection.uuid());
    if (collection.preAndPostImages()) {
      oldOptions.put("changeStreamPreAndPostImages", new Document("enabled", true));
    }
    if (description.get("changeStreamPreAndPostImages") instanceof Document images) {
      collection.setPreAndPostImages(Utils.isTrue(images.get("enabled")));
    } else if (description.containsKey("changeStreamPreAndPostImages")) {
      throw new MongoServerError(
          14,
          "TypeMismatch",
          "BSON field 'collMod.changeStreamPreAndPostImages' is the wrong type, expected type"
              + " 'object'");
    }
    Document stored = description.cloneDeeply();
    stored.put("stateBeforeChange", new Document("collectionOptions", oldOptions));
    history.append(ChangeType.MODIFY, databaseName, name, stored, collection.uuid());
    Document reply = new Document();
    Utils.markOkay(reply);
    return reply;
  }

  Document createIndexes(Channel channel, String databaseName, String command, Document query) {
    return recordingIndexChanges(channel, databaseName, command, query, ChangeType.CREATE_INDEXES);
  }

  Document dropIndexes(Channel channel, String databaseName, String command, Document query) {
    return recordingIndexChanges(channel, databaseName, command, query, ChangeType.DROP_INDEXES);
  }

  /** {@code listCollections}, with the options and UUIDs MongoDB reports. */
  Document listCollections(Channel channel, String databaseName, String command, Document query) {
    Document reply = server.run(channel, databaseName, command, query);
    MongoDatabase database = server.database(databaseName);
    if (database != null
        && reply.get("cursor") instanceof Document cursor
        && cursor.get("firstBatch") instanceof List<?> batch) {
      for (Object element : batch) {
        if (element instanceof Document description
            && database.resolveCollection(String.valueOf(description.get("name")), false)
                instanceof CapturingCollection collection) {
          if (collection.preAndPostImages()) {
            Document options =
                description.get("options") instanceof Document existing ? existing : new Document();
            options.put("changeStreamPreAndPostImages", new Document("enabled", true));
            description.put("options", options);
          }
          if (description.get("info") instanceof Document info) {
            info.put("uuid", collection.uuid());
          }
        }
      }
    }
    return reply;
  }

  private boolean hasCollections(Channel channel, String databaseName) {
    if (server.database(databaseName) == null) {
      return false;
    }
    Document reply =
        server.run(channel, databaseName, "listCollections", new Document("listCollections", 1));
    return reply.get("cursor") instanceof Document cursor
        && cursor.get("firstBatch") instanceof List<?> batch
        && batch.stream()
            .anyMatch(
                c ->
                    c instanceof Document d
                        && !String.valueOf(d.get("name")).startsWith("system."));
  }

  private Document recordingIndexChanges(
      Channel channel, String databaseName, String command, Document query, ChangeType type) {
    String name = String.valueOf(query.get(command));
    Map<String, Document> before = indexes(channel, databaseName, name);
    Document reply = server.run(channel, databaseName, command, query);
    CapturingCollection collection = captured(databaseName + "." + name);
    if (collection == null) {
      return reply;
    }
    Map<String, Document> after = indexes(channel, databaseName, name);
    Map<String, Document> changed = type == ChangeType.CREATE_INDEXES ? after : before;
    Map<String, Document> other = type == ChangeType.CREATE_INDEXES ? before : after;
    for (Map.Entry<String, Document> index : changed.entrySet()) {
      if (!other.containsKey(index.getKey())) {
        history.append(
            type,
            databaseName,
            name,
            new Document("indexes", List.of(index.getValue())),
            collection.uuid());
      }
    }
    return reply;
  }

  private Map<String, Document> indexes(Channel channel, String databaseName, String collection) {
    Map<String, Document> result = new LinkedHashMap<>();
    MongoDatabase database = server.database(databaseName);
    if (database == null || database.resolveCollection(collection, false) == null) {
      return result;
    }
    Document reply =
        server.run(channel, databaseName, "listIndexes", new Document("listIndexes", collection));
    if (reply.get("cursor") instanceof Document cursor
        && cursor.get("firstBatch") instanceof List<?> batch) {
      for (Object element : batch) {
        if (element instanceof Document index) {
          Document spec = index.cloneDeeply();
          spec.remove("ns");
          result.put(String.valueOf(spec.get("name")), spec);
        }
      }
    }
    return result;
  }

  private CapturingCollection captured(String namespace) {
    String db = Utils.getDatabaseNameFromFullName(namespace);
    String coll = Utils.getCollectionNameFromFullName(namespace);
    MongoDatabase database = server.database(db);
    if (database == null) {
      return null;
    }
    MongoCollection<?> collection = database.resolveCollection(coll, false);
    return collection instanceof CapturingCollection capturing ? capturing : null;
  }
}
