package io.changecast.spec.internal;

import com.mongodb.ClientSessionOptions;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ReadConcern;
import com.mongodb.ReadConcernLevel;
import com.mongodb.ReadPreference;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A test's named entities: clients (each with its {@link CommandLog}), databases, collections,
 * sessions, change streams and saved results. Closing ends sessions, closes cursors and clients.
 */
public final class Entities implements AutoCloseable {

  private final String connectionString;
  private final Map<String, Object> byId = new LinkedHashMap<>();
  private final Map<String, CommandLog> logs = new LinkedHashMap<>();
  private final Map<String, BsonDocument> lsids = new LinkedHashMap<>();
  private final Map<String, String> sessionClients = new LinkedHashMap<>();
  private final Map<String, MongoClient> databaseClients = new LinkedHashMap<>();
  private final Map<MongoCollection<?>, MongoClient> collectionClients =
      new java.util.IdentityHashMap<>();

  /** Entities whose clients connect with {@code connectionString}. */
  public Entities(String connectionString) {
    this.connectionString = connectionString;
  }

  /** Creates the entities of a {@code createEntities} array. */
  public void create(List<BsonValue> definitions) {
    for (BsonValue definition : definitions) {
      BsonDocument entity = definition.asDocument();
      String kind = entity.getFirstKey();
      BsonDocument spec = entity.getDocument(kind);
      String id = spec.getString("id").getValue();
      switch (kind) {
        case "client" -> createClient(id, spec);
        case "database" -> {
          MongoDatabase database =
              client(spec.getString("client").getValue())
                  .getDatabase(spec.getString("databaseName").getValue());
          put(id, withOptions(database, spec.getDocument("databaseOptions", new BsonDocument())));
          databaseClients.put(id, client(spec.getString("client").getValue()));
        }
        case "collection" -> {
          MongoCollection<BsonDocument> collection =
              database(spec.getString("database").getValue())
                  .getCollection(spec.getString("collectionName").getValue(), BsonDocument.class);
          MongoCollection<BsonDocument> configured =
              withOptions(collection, spec.getDocument("collectionOptions", new BsonDocument()));
          put(id, configured);
          collectionClients.put(
              configured, databaseClients.get(spec.getString("database").getValue()));
        }
        case "session" -> createSession(id, spec);
        default -> throw new UnsupportedOperationException("entity type " + kind);
      }
    }
  }

  private void createClient(String id, BsonDocument spec) {
    StringBuilder uri = new StringBuilder(connectionString);
    for (Map.Entry<String, BsonValue> option :
        spec.getDocument("uriOptions", new BsonDocument()).entrySet()) {
      BsonValue value = option.getValue();
      String text =
          value.isString()
              ? value.asString().getValue()
              : value.isBoolean()
                  ? String.valueOf(value.asBoolean().getValue())
                  : String.valueOf(value.asNumber().longValue());
      uri.append('&').append(option.getKey()).append('=').append(text);
    }
    Set<String> observe = strings(spec, "observeEvents");
    Set<String> ignore = strings(spec, "ignoreCommandMonitoringEvents");
    boolean sensitive =
        spec.getBoolean("observeSensitiveCommands", org.bson.BsonBoolean.FALSE).getValue();
    CommandLog log = new CommandLog(observe, ignore, sensitive);
    MongoClientSettings settings =
        MongoClientSettings.builder()
            // after a state-change error (not primary, shutting down) the server is unknown until
            // the monitor's awaitable hello next answers, a heartbeat later: 100 ms here, not the
            // default 10 s (a test file's uriOptions still win)
            .applyToServerSettings(
                s ->
                    s.heartbeatFrequency(100, TimeUnit.MILLISECONDS)
                        .minHeartbeatFrequency(10, TimeUnit.MILLISECONDS))
            .applyConnectionString(new ConnectionString(uri.toString()))
            .applyToClusterSettings(c -> c.serverSelectionTimeout(10, TimeUnit.SECONDS))
            .applyToSocketSettings(s -> s.connectTimeout(5, TimeUnit.SECONDS))
            .addCommandListener(log)
            .build();
    put(id, MongoClients.create(settings));
    logs.put(id, log);
  }

  private void createSession(String id, BsonDocument spec) {
    String clientId = spec.getString("client").getValue();
    BsonDocument options = spec.getDocument("sessionOptions", new BsonDocument());
    ClientSessionOptions.Builder builder = ClientSessionOptions.builder();
    for (Map.Entry<String, BsonValue> option : options.entrySet()) {
      switch (option.getKey()) {
        case "causalConsistency" ->
            builder.causallyConsistent(option.getValue().asBoolean().getValue());
        case "snapshot" -> builder.snapshot(option.getValue().asBoolean().getValue());
        case "defaultTransactionOptions" ->
            builder.defaultTransactionOptions(transactionOptions(option.getValue().asDocument()));
        default -> throw new UnsupportedOperationException("session option " + option.getKey());
      }
    }
    ClientSession session = client(clientId).startSession(builder.build());
    put(id, session);
    lsids.put(id, session.getServerSession().getIdentifier().clone());
    sessionClients.put(id, clientId);
  }

  /** Transaction options from a unified test's {@code readConcern}/{@code writeConcern}/... */
  static TransactionOptions transactionOptions(BsonDocument options) {
    TransactionOptions.Builder builder = TransactionOptions.builder();
    for (Map.Entry<String, BsonValue> option : options.entrySet()) {
      switch (option.getKey()) {
        case "readConcern" -> builder.readConcern(readConcern(option.getValue().asDocument()));
        case "writeConcern" -> builder.writeConcern(writeConcern(option.getValue().asDocument()));
        case "readPreference" ->
            builder.readPreference(readPreference(option.getValue().asDocument()));
        case "maxCommitTimeMS" ->
            builder.maxCommitTime(option.getValue().asNumber().longValue(), TimeUnit.MILLISECONDS);
        default -> throw new UnsupportedOperationException("transaction option " + option.getKey());
      }
    }
    return builder.build();
  }

  static ReadConcern readConcern(BsonDocument document) {
    return document.containsKey("level")
        ? new ReadConcern(ReadConcernLevel.fromString(document.getString("level").getValue()))
        : ReadConcern.DEFAULT;
  }

  static WriteConcern writeConcern(BsonDocument document) {
    WriteConcern concern = WriteConcern.ACKNOWLEDGED;
    BsonValue w = document.get("w");
    if (w != null) {
      concern =
          w.isString()
              ? new WriteConcern(w.asString().getValue())
              : new WriteConcern(w.asNumber().intValue());
    }
    for (String journal : List.of("journal", "j")) {
      if (document.containsKey(journal)) {
        concern = concern.withJournal(document.getBoolean(journal).getValue());
      }
    }
    // wtimeoutMS in unified files, wtimeout in the legacy transactions files
    for (String wtimeout : List.of("wtimeoutMS", "wtimeout")) {
      if (document.containsKey(wtimeout)) {
        concern =
            concern.withWTimeout(document.getNumber(wtimeout).longValue(), TimeUnit.MILLISECONDS);
      }
    }
    return concern;
  }

  static ReadPreference readPreference(BsonDocument document) {
    return ReadPreference.valueOf(document.getString("mode").getValue());
  }

  private static MongoDatabase withOptions(MongoDatabase database, BsonDocument options) {
    if (options.containsKey("readConcern")) {
      database = database.withReadConcern(readConcern(options.getDocument("readConcern")));
    }
    if (options.containsKey("writeConcern")) {
      database = database.withWriteConcern(writeConcern(options.getDocument("writeConcern")));
    }
    if (options.containsKey("readPreference")) {
      database = database.withReadPreference(readPreference(options.getDocument("readPreference")));
    }
    return database;
  }

  private static MongoCollection<BsonDocument> withOptions(
      MongoCollection<BsonDocument> collection, BsonDocument options) {
    if (options.containsKey("readConcern")) {
      collection = collection.withReadConcern(readConcern(options.getDocument("readConcern")));
    }
    if (options.containsKey("writeConcern")) {
      collection = collection.withWriteConcern(writeConcern(options.getDocument("writeConcern")));
    }
    if (options.containsKey("readPreference")) {
      collection =
          collection.withReadPreference(readPreference(options.getDocument("readPreference")));
    }
    return collection;
  }

  private static Set<String> strings(BsonDocument spec, String key) {
    Set<String> values = new HashSet<>();
    spec.getArray(key, new org.bson.BsonArray()).forEach(v -> values.add(v.asString().getValue()));
    return values;
  }

  /** Stores {@code value} as entity {@code id}; an id may be used once per test. */
  public void put(String id, Object value) {
    if (byId.putIfAbsent(id, value) != null) {
      throw new IllegalStateException("entity " + id + " already exists");
    }
  }

  /** Entity {@code id}, of any kind. */
  public Object get(String id) {
    Object value = byId.get(id);
    if (value == null) {
      throw new IllegalStateException("no entity " + id);
    }
    return value;
  }

  /** Whether entity {@code id} exists. */
  public boolean has(String id) {
    return byId.containsKey(id);
  }

  public MongoClient client(String id) {
    return (MongoClient) get(id);
  }

  public MongoDatabase database(String id) {
    return (MongoDatabase) get(id);
  }

  @SuppressWarnings("unchecked")
  public MongoCollection<BsonDocument> collection(String id) {
    return (MongoCollection<BsonDocument>) get(id);
  }

  public ClientSession session(String id) {
    return (ClientSession) get(id);
  }

  /** The client a collection entity belongs to. */
  public MongoClient clientOfCollection(MongoCollection<?> collection) {
    return collectionClients.get(collection);
  }

  /** The client a session entity was started from. */
  public String clientOfSession(String id) {
    return sessionClients.get(id);
  }

  @SuppressWarnings("unchecked")
  public MongoCursor<BsonDocument> cursor(String id) {
    return (MongoCursor<BsonDocument>) get(id);
  }

  /** A saved value, for {@code $$matchesEntity}. */
  public BsonValue value(String id) {
    return (BsonValue) get(id);
  }

  /** The session id of session entity {@code id}, for {@code $$sessionLsid}. */
  public BsonDocument lsid(String id) {
    BsonDocument lsid = lsids.get(id);
    if (lsid == null) {
      throw new IllegalStateException("no session " + id);
    }
    return lsid;
  }

  /** The command log of client entity {@code id}. */
  public CommandLog log(String id) {
    CommandLog log = logs.get(id);
    if (log == null) {
      throw new IllegalStateException("no client " + id);
    }
    return log;
  }

  @Override
  public void close() {
    List<Object> values = new ArrayList<>(byId.values());
    for (Object value : values) {
      if (value instanceof MongoCursor<?> cursor) {
        quietly(cursor::close);
      }
    }
    for (Object value : values) {
      if (value instanceof ClientSession session) {
        quietly(session::close);
      }
    }
    for (Object value : values) {
      if (value instanceof MongoClient client) {
        quietly(client::close);
      }
    }
    byId.clear();
  }

  private static void quietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      // closing after a failed test: the test's own failure is what matters
    }
  }
}
