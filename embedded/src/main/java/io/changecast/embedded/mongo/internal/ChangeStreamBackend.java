package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.InMemoryCursor;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.oplog.Oplog;
import de.bwaldvogel.mongo.wire.BsonConstants;
import io.netty.channel.Channel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * mongo-java-server's in-memory backend with faithful change streams: collections record their
 * changes in a bounded {@link ChangeHistory}, {@code aggregate}/{@code getMore}/{@code killCursors}
 * on change streams are served by {@link ChangeStreams}, the DDL commands whose events MongoDB
 * reports go through {@link DdlCommands}, pipeline-style updates through {@link PipelineUpdates},
 * and the handshake and privilege commands a MongoDB driver and the MongoDB Kafka connector issue
 * are answered. It claims to be MongoDB 7.0 ({@link ServerIdentity}); every command enters through
 * {@link CommandDispatcher} (sessions, transactions, retryable writes, cluster times).
 */
public final class ChangeStreamBackend extends MemoryBackend {

  /** Every action an unauthenticated server lets a client do that the connectors check for. */
  private static final List<String> ALL_ACTIONS =
      List.of(
          "changeStream",
          "collStats",
          "createCollection",
          "createIndex",
          "dbStats",
          "dropCollection",
          "find",
          "insert",
          "killCursors",
          "listCollections",
          "listDatabases",
          "listIndexes",
          "remove",
          "update");

  private final ChangeHistory history;
  private final ChangeStreams changeStreams;
  private final DdlCommands ddl;
  private final ServerIdentity identity = new ServerIdentity();
  private final CommandDispatcher dispatcher;
  private volatile ReplicaSetMember replicaSet;

  /** A backend retaining {@code historyLimit} change events. */
  public ChangeStreamBackend(int historyLimit) {
    this(historyLimit, Clock.systemUTC());
  }

  ChangeStreamBackend(int historyLimit, Clock clock) {
    super(clock);
    version(identity);
    this.history = new ChangeHistory(historyLimit, clock);
    this.changeStreams =
        new ChangeStreams(
            history,
            getCursorRegistry()::generateCursorId,
            this::resolveDatabase,
            this::currentDocument);
    this.ddl = new DdlCommands(history, new DdlServer());
    this.dispatcher =
        new CommandDispatcher(
            new Storage(), history, () -> replicaSet, new Sessions(clock), identity);
  }

  /** The backend as {@link DdlCommands} sees it: mongo-java-server's own command handling. */
  private final class DdlServer implements DdlCommands.Server {
    @Override
    public Document run(Channel channel, String databaseName, String command, Document query) {
      return ChangeStreamBackend.super.handleCommand(channel, databaseName, command, query);
    }

    @Override
    public de.bwaldvogel.mongo.MongoDatabase database(String databaseName) {
      return listDatabaseNames().contains(databaseName) ? resolveDatabase(databaseName) : null;
    }

    @Override
    public void dropCollection(String databaseName, String collectionName) {
      resolveDatabase(databaseName).dropCollection(collectionName, oplog);
    }
  }

  /** The change history (for tests and diagnostics). */
  public ChangeHistory history() {
    return history;
  }

  /** What the server claims to be. */
  public ServerIdentity identity() {
    return identity;
  }

  /** The change stream cursors and commands. */
  public ChangeStreams changeStreams() {
    return changeStreams;
  }

  /**
   * Makes this server a member of a replica set, as {@code mongod --replSet} does; call before it
   * serves clients.
   */
  public void enableReplicaSet(ReplicaSetMember member) {
    this.replicaSet = member;
  }

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new CapturingDatabase(databaseName, getCursorRegistry(), history);
  }

  @Override
  protected Oplog createOplog() {
    return new DropRecordingOplog(history);
  }

  /**
   * Every command enters through {@link CommandDispatcher} (sessions, transactions, cluster times,
   * error replies), which runs the command itself with {@link #execute}.
   */
  @Override
  public Document handleCommand(
      Channel channel, String databaseName, String command, Document query) {
    return dispatcher.handle(channel, databaseName, command, query);
  }

  /** Adds a replica-set member's {@code operationTime} and {@code $clusterTime} to a reply. */
  public Document withClusterTime(Document reply) {
    return dispatcher.withClusterTime(reply);
  }

  /** Completes an error reply made before the dispatcher (a fail point's) as it does. */
  Document withTopologyVersion(Document reply) {
    return dispatcher.withTopologyVersion(reply);
  }

  /** Runs a command, without session or transaction handling. */
  private Document execute(Channel channel, String databaseName, String command, Document query) {
    ReplicaSetMember member = replicaSet;
    if (member != null) {
      Document reply = replicaSetCommand(member, channel, databaseName, command, query);
      if (reply != null) {
        return reply;
      }
    }
    switch (command.toLowerCase(java.util.Locale.ROOT)) {
      case "aggregate":
        if (ChangeStreams.isChangeStream(query)) {
          try {
            return changeStreams.aggregate(databaseName, query);
          } catch (MongoServerError e) {
            return ChangeStreamError.reply(e);
          }
        }
        return batched(super.handleCommand(channel, databaseName, command, query), query);
      case "renamecollection":
        if (databaseName.equals("admin")) {
          return ddl.renameCollection(channel, command, query);
        }
        break;
      case "dropdatabase":
        return ddl.dropDatabase(channel, databaseName, command, query);
      case "create":
        return ddl.create(channel, databaseName, command, query);
      case "collmod":
        return ddl.collMod(channel, databaseName, command, query);
      case "createindexes":
        return ddl.createIndexes(channel, databaseName, command, query);
      case "dropindexes":
        return ddl.dropIndexes(channel, databaseName, command, query);
      case "listcollections":
        return ddl.listCollections(channel, databaseName, command, query);
      case "update":
        if (PipelineUpdates.applies(query)) {
          return PipelineUpdates.run(
              resolveDatabase(databaseName),
              query,
              this::resolveDatabase,
              oplog,
              single -> super.handleCommand(channel, databaseName, command, single));
        }
        break;
      case "getmore":
        if (query.get(command) instanceof Number id && changeStreams.owns(id.longValue())) {
          // reached only without AwaitingGetMoreHandler (e.g. a legacy OP_QUERY): no waiting
          return changeStreams
              .tryGetMore(ChangeStreams.GetMore.parse(renamed(query, command, "getMore")), true)
              .orElseThrow();
        }
        break;
      case "killcursors":
        return killCursors(query);
      case "hello", "ismaster":
        return hello(channel, databaseName, command, query);
      case "buildinfo":
        return identity.buildInfo(BsonConstants.MAX_BSON_OBJECT_SIZE);
      case "connectionstatus":
        return connectionStatus(query);
      case "rolesinfo":
        return rolesInfo();
      default:
        break;
    }
    return super.handleCommand(channel, databaseName, command, query);
  }

  /**
   * An aggregate's reply cut to its {@code cursor.batchSize} (the library answers with everything
   * in the first batch): the rest is kept in a cursor for {@code getMore}, as MongoDB does. Inside
   * a transaction this is what keeps the results: the transaction's data is undone after each
   * command.
   */
  private Document batched(Document reply, Document query) {
    if (query.get("cursor") instanceof Document options
        && options.get("batchSize") instanceof Number size
        && reply.get("cursor") instanceof Document cursor
        && cursor.get("firstBatch") instanceof List<?> batch
        && cursor.get("id") instanceof Number id
        && id.longValue() == 0
        && batch.size() > size.intValue()) {
      List<Document> documents = new ArrayList<>();
      batch.forEach(d -> documents.add((Document) d));
      InMemoryCursor rest =
          new InMemoryCursor(
              getCursorRegistry().generateCursorId(),
              new ArrayList<>(documents.subList(size.intValue(), documents.size())));
      getCursorRegistry().add(rest);
      cursor.put("firstBatch", new ArrayList<>(documents.subList(0, size.intValue())));
      cursor.put("id", rest.getId());
    }
    return reply;
  }

  /**
   * The answer of a replica-set member to {@code command} when it differs from a standalone
   * server's, else {@code null}.
   */
  private Document replicaSetCommand(
      ReplicaSetMember member,
      Channel channel,
      String databaseName,
      String command,
      Document query) {
    boolean admin = databaseName.equals("admin");
    switch (command.toLowerCase(java.util.Locale.ROOT)) {
      case "hello", "ismaster":
        return identity.hello(
            channel,
            member.hello(
                super.handleCommand(channel, databaseName, "isMaster", query),
                query,
                command.equalsIgnoreCase("ismaster"),
                history.lastIssued()),
            member.initiated());
      case "replsetinitiate":
        if (!admin) {
          return null;
        }
        Document initiated = member.initiate(query.get(command));
        if (Utils.isTrue(initiated.get("ok"))) {
          identity.topologyChanged();
        }
        return initiated;
      case "replsetgetstatus":
        return admin ? member.status() : null;
      case "replsetgetconfig":
        return admin ? member.getConfig() : null;
      default:
        return member.refuseWrite(databaseName, command);
    }
  }

  /** A standalone server's {@code hello} (or legacy {@code isMaster}). */
  private Document hello(Channel channel, String databaseName, String command, Document query) {
    Document isMaster = super.handleCommand(channel, databaseName, "isMaster", query);
    boolean legacy = command.equalsIgnoreCase("ismaster");
    Document body = new Document(legacy ? "ismaster" : "isWritablePrimary", Boolean.TRUE);
    isMaster.forEach(
        (key, value) -> {
          if (!key.equals("ismaster")) {
            body.put(key, value);
          }
        });
    if (Utils.isTrue(query.get("helloOk"))) {
      body.put("helloOk", Boolean.TRUE);
    }
    return identity.hello(channel, body, true);
  }

  /**
   * As a MongoDB without access control answers: nobody is authenticated, everything is allowed.
   */
  private static Document connectionStatus(Document query) {
    Document authInfo =
        new Document("authenticatedUsers", List.of()).append("authenticatedUserRoles", List.of());
    if (Utils.isTrue(query.get("showPrivileges"))) {
      authInfo.append(
          "authenticatedUserPrivileges",
          List.of(
              new Document("resource", new Document("db", "").append("collection", ""))
                  .append("actions", ALL_ACTIONS),
              new Document("resource", new Document("cluster", Boolean.TRUE))
                  .append("actions", ALL_ACTIONS)));
    }
    Document reply = new Document("authInfo", authInfo);
    Utils.markOkay(reply);
    return reply;
  }

  private static Document rolesInfo() {
    Document reply = new Document("roles", List.of());
    Utils.markOkay(reply);
    return reply;
  }

  private Document killCursors(Document query) {
    List<Long> killed = new ArrayList<>();
    List<Long> notFound = new ArrayList<>();
    Object ids = query.get("cursors");
    if (ids instanceof List<?> list) {
      for (Object element : list) {
        long id = ((Number) element).longValue();
        if (changeStreams.kill(id) || getCursorRegistry().remove(id)) {
          killed.add(id);
        } else {
          notFound.add(id);
        }
      }
    }
    Document reply =
        new Document("cursorsKilled", killed)
            .append("cursorsNotFound", notFound)
            .append("cursorsAlive", List.of())
            .append("cursorsUnknown", List.of());
    Utils.markOkay(reply);
    return reply;
  }

  @Override
  public void closeCursors(List<Long> cursorIds) {
    cursorIds.forEach(changeStreams::kill);
    super.closeCursors(cursorIds);
  }

  /** The current version of a document, as a private copy, or {@code null}. */
  private Document currentDocument(String db, String coll, Object id) {
    if (!listDatabaseNames().contains(db)) {
      return null;
    }
    MongoCollection<?> collection = resolveDatabase(db).resolveCollection(coll, false);
    if (collection == null) {
      return null;
    }
    // the collection's writes run under its monitor (CapturingCollection) and change documents in
    // place: a copy taken beside one fails (ConcurrentModificationException) or is torn
    synchronized (collection) {
      try (Stream<Document> found = collection.handleQueryAsStream(new Document("_id", id))) {
        return found.findFirst().map(Document::cloneDeeply).orElse(null);
      }
    }
  }

  /** The data commands (and transactions) run on. */
  private final class Storage implements TransactionRunner.Storage {

    @Override
    public Document execute(Channel channel, String db, String command, Document query) {
      return ChangeStreamBackend.this.execute(channel, db, command, query);
    }

    @Override
    public MongoCollection<?> collection(String db, String coll) {
      return databaseExists(db) ? resolveDatabase(db).resolveCollection(coll, false) : null;
    }

    @Override
    public boolean databaseExists(String db) {
      return listDatabaseNames().contains(db);
    }

    @Override
    public void dropCollection(String db, String coll) {
      resolveDatabase(db).dropCollection(coll, oplog);
    }

    @Override
    public void dropDatabase(String db) {
      ChangeStreamBackend.this.dropDatabase(db);
    }
  }

  private static Document renamed(Document query, String from, String to) {
    if (from.equals(to)) {
      return query;
    }
    Document copy = new Document();
    query.forEach((key, value) -> copy.put(key.equals(from) ? to : key, value));
    return copy;
  }
}
