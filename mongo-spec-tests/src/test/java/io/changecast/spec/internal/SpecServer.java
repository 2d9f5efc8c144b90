package io.changecast.spec.internal;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt32;

/**
 * The server under test: an {@link EmbeddedMongo} started as a member of replica set {@value
 * #SET_NAME} and initiated, so it is the primary of a single-member replica set, plus an internal
 * client (unobserved) for initial data, outcomes and turning fail points off.
 */
public final class SpecServer implements AutoCloseable {

  static final String SET_NAME = "rs0";

  private final EmbeddedMongo mongo;
  private final String connectionString;
  private final MongoClient internal;
  private final String version;

  private SpecServer(EmbeddedMongo mongo) {
    this.mongo = mongo;
    try (MongoClient direct = MongoClients.create(mongo.connectionString())) {
      direct
          .getDatabase("admin")
          .runCommand(new BsonDocument("replSetInitiate", new BsonDocument()));
    }
    this.connectionString =
        "mongodb://"
            + mongo.address().getHostString()
            + ":"
            + mongo.port()
            + "/?replicaSet="
            + SET_NAME;
    this.internal =
        MongoClients.create(
            MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(connectionString))
                .applyToClusterSettings(c -> c.serverSelectionTimeout(10, TimeUnit.SECONDS))
                .build());
    this.version =
        internal
            .getDatabase("admin")
            .runCommand(new BsonDocument("buildInfo", new BsonInt32(1)), BsonDocument.class)
            .getString("version")
            .getValue();
  }

  /** Starts and initiates the server. */
  public static SpecServer start() {
    return new SpecServer(EmbeddedMongo.start(MongoOptions.defaults().withReplicaSet(SET_NAME)));
  }

  /** The connection string test clients use: replica-set discovery of {@value #SET_NAME}. */
  public String connectionString() {
    return connectionString;
  }

  /** The version {@code buildInfo} reports. */
  public String version() {
    return version;
  }

  /** The unified format's name of the server's topology. */
  public String topology() {
    return "replicaset";
  }

  /** The internal client. */
  public MongoClient internalClient() {
    return internal;
  }

  @Override
  public void close() {
    internal.close();
    mongo.close();
  }
}
