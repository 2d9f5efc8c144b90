package io.changecast.embedded.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import java.util.List;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code MongoOptions.withReplicaSet}: the server behaves as {@code mongod --replSet rs0} does,
 * before and after {@code replSetInitiate}, for the MongoDB Java driver in both discovery modes.
 */
@Timeout(60)
class ReplicaSetModeTest {

  private EmbeddedMongo mongo;
  private MongoClient direct;
  private MongoDatabase admin;
  private String member;

  @BeforeEach
  void start() {
    mongo = EmbeddedMongo.start(MongoOptions.defaults().withReplicaSet("rs0"));
    // a refused write makes the driver wait for its monitor's next (awaitable) hello before a
    // retry, as with mongod: a short heartbeat keeps that wait short
    direct = MongoClients.create(mongo.connectionString() + "&heartbeatFrequencyMS=500");
    admin = direct.getDatabase("admin");
    member = "127.0.0.1:" + mongo.port();
  }

  @AfterEach
  void stop() {
    direct.close();
    mongo.close();
  }

  private Document initiate() {
    return admin.runCommand(
        new Document(
            "replSetInitiate",
            new Document("_id", "rs0")
                .append("members", List.of(new Document("_id", 0).append("host", member)))));
  }

  /** A client that discovers the set from {@code member}; it waits briefly for a primary. */
  private MongoClient discovering() {
    return MongoClients.create(
        mongo.replicaSetConnectionString(member) + "&serverSelectionTimeoutMS=2000");
  }

  private static MongoCommandException commandError(Runnable command) {
    try {
      command.run();
    } catch (MongoCommandException e) {
      return e;
    }
    throw new AssertionError("the command did not fail");
  }

  @Test
  void beforeInitiationHelloAnswersAsAnUninitializedMember() {
    Document hello = admin.runCommand(new Document("hello", 1));

    assertThat(hello)
        .containsEntry("isWritablePrimary", false)
        .containsEntry("secondary", false)
        .containsEntry("isreplicaset", true)
        .containsEntry("info", "Does not have a valid replica set config")
        .doesNotContainKeys("setName", "hosts", "primary", "me", "ismaster");
    assertThat(hello.get("ok", Number.class).intValue()).isEqualTo(1);
    assertThat(admin.runCommand(new Document("isMaster", 1)))
        .containsEntry("ismaster", false)
        .containsEntry("isreplicaset", true)
        .doesNotContainKey("isWritablePrimary");
  }

  @Test
  void beforeInitiationStatusAndConfigAreNotYetInitialized() {
    for (String command : List.of("replSetGetStatus", "replSetGetConfig")) {
      MongoCommandException error = commandError(() -> admin.runCommand(new Document(command, 1)));
      assertThat(error.getErrorCode()).as(command).isEqualTo(94);
      assertThat(error.getErrorCodeName()).as(command).isEqualTo("NotYetInitialized");
    }
  }

  @Test
  void beforeInitiationWritesAreRefusedAsNotWritablePrimary() {
    MongoCollection<Document> orders = direct.getDatabase("app").getCollection("orders");

    assertThatThrownBy(() -> orders.insertOne(new Document("_id", 1)))
        .asInstanceOf(type(MongoException.class))
        .satisfies(e -> assertThat(e.getCode()).isEqualTo(10107));
    assertThatThrownBy(() -> direct.getDatabase("app").createCollection("other"))
        .asInstanceOf(type(MongoException.class))
        .satisfies(e -> assertThat(e.getCode()).isEqualTo(10107));
    // reads are served, and the local database takes writes, as on mongod
    assertThat(orders.countDocuments()).isZero();
    direct.getDatabase("local").getCollection("notes").insertOne(new Document("_id", 1));
  }

  @Test
  void aReplicaSetClientFindsNoPrimaryBeforeInitiationAndWritesAfter() {
    try (MongoClient client = discovering()) {
      MongoCollection<Document> orders = client.getDatabase("app").getCollection("orders");
      assertThatThrownBy(() -> orders.insertOne(new Document("_id", 1)))
          .isInstanceOf(MongoTimeoutException.class);

      initiate();

      orders.insertOne(new Document("_id", 1));
      assertThat(orders.find().first()).isEqualTo(new Document("_id", 1));
      assertThat(client.getClusterDescription().getServerDescriptions())
          .singleElement()
          .satisfies(
              server -> {
                assertThat(server.isPrimary()).isTrue();
                assertThat(server.getSetName()).isEqualTo("rs0");
                assertThat(server.getHosts()).containsExactly(member);
              });
    }
  }

  @Test
  void afterInitiationHelloStatusAndConfigDescribeASingleMemberPrimary() {
    assertThat(initiate().get("ok", Number.class).intValue()).isEqualTo(1);

    Document hello = admin.runCommand(new Document("hello", 1));
    assertThat(hello)
        .containsEntry("isWritablePrimary", true)
        .containsEntry("secondary", false)
        .containsEntry("setName", "rs0")
        .containsEntry("setVersion", 1)
        .containsEntry("hosts", List.of(member))
        .containsEntry("primary", member)
        .containsEntry("me", member)
        .doesNotContainKeys("isreplicaset", "info");
    assertThat(hello.get("electionId")).isInstanceOf(ObjectId.class);
    assertThat(admin.runCommand(new Document("isMaster", 1))).containsEntry("ismaster", true);

    Document status = admin.runCommand(new Document("replSetGetStatus", 1));
    assertThat(status).containsEntry("set", "rs0").containsEntry("myState", 1);
    assertThat(status.getList("members", Document.class))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .containsEntry("_id", 0)
                    .containsEntry("name", member)
                    .containsEntry("health", 1.0)
                    .containsEntry("state", 1)
                    .containsEntry("stateStr", "PRIMARY")
                    .containsEntry("self", true));

    Document config =
        admin.runCommand(new Document("replSetGetConfig", 1)).get("config", Document.class);
    assertThat(config).containsEntry("_id", "rs0").containsEntry("version", 1);
    assertThat(config.getList("members", Document.class))
        .singleElement()
        .satisfies(m -> assertThat(m).containsEntry("_id", 0).containsEntry("host", member));
  }

  @Test
  void aSecondInitiationFailsWithAlreadyInitialized() {
    initiate();

    MongoCommandException error = commandError(this::initiate);

    assertThat(error.getErrorCode()).isEqualTo(23);
    assertThat(error.getErrorCodeName()).isEqualTo("AlreadyInitialized");
  }

  @Test
  void anInvalidConfigIsRejectedAndLeavesTheMemberUninitialized() {
    Document wrongName =
        new Document("_id", "rs1")
            .append("members", List.of(new Document("_id", 0).append("host", member)));
    Document twoMembers =
        new Document("_id", "rs0")
            .append(
                "members",
                List.of(
                    new Document("_id", 0).append("host", member),
                    new Document("_id", 1).append("host", "127.0.0.1:1")));
    for (Document config : List.of(wrongName, twoMembers)) {
      MongoCommandException error =
          commandError(() -> admin.runCommand(new Document("replSetInitiate", config)));
      assertThat(error.getErrorCode()).as(config.toJson()).isEqualTo(93);
      assertThat(error.getErrorCodeName()).isEqualTo("InvalidReplicaSetConfig");
    }
    assertThat(error(wrongName)).contains("rs1").contains("rs0");
    assertThat(admin.runCommand(new Document("hello", 1)))
        .containsEntry("isWritablePrimary", false);
  }

  private String error(Document config) {
    return commandError(() -> admin.runCommand(new Document("replSetInitiate", config)))
        .getErrorMessage();
  }

  @Test
  void initiationWithoutAConfigNamesTheBoundHostAndPort() {
    admin.runCommand(new Document("replSetInitiate", new Document()));

    assertThat(admin.runCommand(new Document("hello", 1)))
        .containsEntry("me", member)
        .containsEntry("hosts", List.of(member));
  }

  @Test
  void initiationWithoutAConfigUsesTheConfiguredMemberHost() {
    try (EmbeddedMongo named =
            EmbeddedMongo.start(
                MongoOptions.defaults().withReplicaSet("rs0").withMemberHost("mongo:27017"));
        MongoClient client = MongoClients.create(named.connectionString())) {
      MongoDatabase namedAdmin = client.getDatabase("admin");
      namedAdmin.runCommand(new Document("replSetInitiate", 1));

      assertThat(namedAdmin.runCommand(new Document("hello", 1)))
          .containsEntry("me", "mongo:27017")
          .containsEntry("primary", "mongo:27017");
    }
  }

  @Test
  void changeStreamsWorkThroughAReplicaSetClientAfterInitiation() {
    initiate();
    try (MongoClient client = discovering()) {
      MongoCollection<Document> orders = client.getDatabase("app").getCollection("orders");
      try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor =
          orders.watch().cursor()) {
        orders.insertOne(new Document("_id", 1).append("tenantId", "acme"));
        direct.getDatabase("app").getCollection("orders").deleteOne(new Document("_id", 1));

        ChangeStreamDocument<Document> insert = cursor.next();
        assertThat(insert.getOperationTypeString()).isEqualTo("insert");
        assertThat(insert.getNamespace().getFullName()).isEqualTo("app.orders");
        assertThat(insert.getFullDocument()).containsEntry("tenantId", "acme");
        assertThat(cursor.next().getOperationTypeString()).isEqualTo("delete");
      }
    }
  }

  @Test
  void aStandaloneServerStillAnswersAsBefore() {
    try (EmbeddedMongo standalone = EmbeddedMongo.start(MongoOptions.defaults().standalone());
        MongoClient client = MongoClients.create(standalone.connectionString())) {
      MongoDatabase standaloneAdmin = client.getDatabase("admin");

      assertThat(standaloneAdmin.runCommand(new Document("hello", 1)))
          .containsEntry("isWritablePrimary", true)
          .doesNotContainKeys("setName", "isreplicaset", "secondary");
      assertThat(
              commandError(() -> standaloneAdmin.runCommand(new Document("replSetGetStatus", 1)))
                  .getErrorCode())
          .isEqualTo(76);
      client.getDatabase("app").getCollection("orders").insertOne(new Document("_id", 1));
      assertThat(standalone.replicaSet()).isNull();
    }
  }
}
