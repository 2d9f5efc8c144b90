package io.changecast.embedded.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.WriteConcern;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ServerDescription;
import java.time.Duration;
import java.util.List;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The default server claims MongoDB 7.0 consistently and is the initiated primary of a replica set
 * that a plain {@code mongodb://127.0.0.1:PORT/} reaches.
 */
@Timeout(60)
class ServerIdentityTest {

  @RegisterExtension final MongoFixture fixture = new MongoFixture(); // a server per test
  private MongoDatabase admin;

  @BeforeEach
  void admin() {
    admin = fixture.client().getDatabase("admin");
  }

  @Test
  void helloAnswersAsTheInitiatedPrimaryOfAMongoDb70ReplicaSet() {
    String member = "127.0.0.1:" + fixture.mongo().port();

    Document hello = admin.runCommand(new Document("hello", 1));

    assertThat(hello)
        .containsEntry("isWritablePrimary", true)
        .containsEntry("secondary", false)
        .containsEntry("setName", "rs0")
        .containsEntry("hosts", List.of(member))
        .containsEntry("primary", member)
        .containsEntry("me", member)
        .containsEntry("maxWireVersion", 21)
        .containsEntry("minWireVersion", 0)
        .containsEntry("logicalSessionTimeoutMinutes", 30)
        .containsKeys(
            "electionId",
            "setVersion",
            "topologyVersion",
            "lastWrite",
            "maxBsonObjectSize",
            "maxMessageSizeBytes",
            "maxWriteBatchSize",
            "localTime",
            "connectionId");
    assertThat(hello.get("topologyVersion", Document.class)).containsKeys("processId", "counter");
  }

  @Test
  void legacyIsMasterAgreesWithHello() {
    Document isMaster = admin.runCommand(new Document("isMaster", 1));

    assertThat(isMaster)
        .containsEntry("ismaster", true)
        .containsEntry("setName", "rs0")
        .containsEntry("maxWireVersion", 21)
        .containsEntry("logicalSessionTimeoutMinutes", 30);
  }

  @Test
  void buildInfoNamesTheSameVersionAsTheWireVersion() {
    Document buildInfo = admin.runCommand(new Document("buildInfo", 1));

    assertThat(buildInfo.getString("version")).startsWith("7.0.");
    assertThat(buildInfo.getList("versionArray", Integer.class)).startsWith(7, 0);
    assertThat(buildInfo).containsKeys("gitVersion", "modules", "maxBsonObjectSize");
  }

  @Test
  void aPlainUriDiscoversAReplicaSetWithSessionsAndTransactions() {
    fixture.client().getDatabase("app").getCollection("orders").insertOne(new Document("_id", 1));

    assertThat(fixture.client().getClusterDescription().getType())
        .isEqualTo(ClusterType.REPLICA_SET);
    ServerDescription server =
        fixture.client().getClusterDescription().getServerDescriptions().get(0);
    assertThat(server.isPrimary()).isTrue();
    assertThat(server.getLogicalSessionTimeoutMinutes()).isEqualTo(30);
    assertThat(server.getMaxWireVersion()).isEqualTo(21);
    assertThat(fixture.mongo().connectionString())
        .isEqualTo("mongodb://127.0.0.1:" + fixture.mongo().port() + "/");
  }

  @Test
  void repliesCarryOperationTimeAndClusterTime() {
    Document ping = admin.runCommand(new Document("ping", 1));
    Document insert =
        fixture
            .client()
            .getDatabase("app")
            .runCommand(
                new Document("insert", "orders")
                    .append("documents", List.of(new Document("_id", 2))));

    assertThat(ping.get("operationTime")).isInstanceOf(BsonTimestamp.class);
    Document clusterTime = insert.get("$clusterTime", Document.class);
    assertThat(clusterTime.get("clusterTime")).isInstanceOf(BsonTimestamp.class);
    assertThat(clusterTime.get("signature", Document.class)).containsEntry("keyId", 0L);
    assertThat(insert.get("operationTime", BsonTimestamp.class))
        .isGreaterThanOrEqualTo(ping.get("operationTime", BsonTimestamp.class));
  }

  @Test
  void aReadAfterAClusterTimeIsServed() {
    fixture.client().getDatabase("app").getCollection("orders").insertOne(new Document("_id", 3));
    BsonTimestamp after =
        admin.runCommand(new Document("ping", 1)).get("operationTime", BsonTimestamp.class);

    assertThat(after).as("ping's operationTime").isNotNull();

    Document found =
        fixture
            .client()
            .getDatabase("app")
            .runCommand(
                new Document("find", "orders")
                    .append("filter", new Document("_id", 3))
                    .append("readConcern", new Document("afterClusterTime", after)));

    assertThat(found.get("cursor", Document.class).getList("firstBatch", Document.class))
        .containsExactly(new Document("_id", 3));
  }

  @Test
  void anUnacknowledgedWriteIsAppliedAndTheConnectionKeepsWorking() {
    MongoCollection<Document> orders = fixture.client().getDatabase("app").getCollection("orders");
    MongoCollection<Document> unacknowledged = orders.withWriteConcern(WriteConcern.UNACKNOWLEDGED);

    for (int id = 10; id < 20; id++) {
      unacknowledged.insertOne(new Document("_id", id));
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> orders.countDocuments() == 10);
    assertThat(admin.runCommand(new Document("ping", 1)).get("ok")).isEqualTo(1.0);
  }
}
