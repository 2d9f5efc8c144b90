package io.changecast.embedded.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code configureFailPoint}, as drivers' specification tests use it: {@code failCommand} fails the
 * named commands a set number of times with the given code and labels, or closes the connection;
 * {@code failGetMoreAfterCursorCheckout} fails a {@code getMore} labelled as MongoDB labels it.
 */
@Timeout(60)
class FailPointsTest {

  private EmbeddedMongo mongo;
  private MongoClient client;
  private MongoDatabase admin;
  private MongoCollection<Document> collection;

  @BeforeEach
  void start() {
    mongo = EmbeddedMongo.start(MongoOptions.defaults());
    // no retries: each failure the fail point makes is the one the test sees. A shutdown error
    // (91, no topologyVersion outside quiesce mode, as from mongod) marks the server unknown until
    // the monitor's awaitable hello next answers, a heartbeat (default 10 s) later: short here.
    client =
        MongoClients.create(
            MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(mongo.connectionString()))
                .applyToServerSettings(
                    s ->
                        s.heartbeatFrequency(20, TimeUnit.MILLISECONDS)
                            .minHeartbeatFrequency(10, TimeUnit.MILLISECONDS))
                .retryWrites(false)
                .retryReads(false)
                .build());
    admin = client.getDatabase("admin");
    collection = client.getDatabase("db").getCollection("c");
  }

  @AfterEach
  void stop() {
    client.close();
    mongo.close();
  }

  @Test
  void failCommandFailsTheNamedCommandTheGivenNumberOfTimesWithCodeAndLabels() {
    admin.runCommand(
        new Document("configureFailPoint", "failCommand")
            .append("mode", new Document("times", 2))
            .append(
                "data",
                new Document("failCommands", List.of("insert"))
                    .append("errorCode", 91)
                    .append("errorLabels", List.of("RetryableWriteError"))));

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> collection.insertOne(new Document("x", 1)))
          .asInstanceOf(type(MongoException.class))
          .satisfies(
              e -> {
                assertThat(e.getCode()).isEqualTo(91);
                assertThat(e.hasErrorLabel("RetryableWriteError")).isTrue();
              });
    }
    collection.insertOne(new Document("x", 2));
    assertThat(collection.countDocuments()).isEqualTo(1);
  }

  @Test
  void failCommandWithoutLabelsGetsTheLabelsMongoDbGivesAndItsCodeName() {
    MongoDatabase db = client.getDatabase("db");
    com.mongodb.client.ClientSession raw = client.startSession();
    failOnce("insert", 10107);
    MongoCommandException inTransaction =
        commandError(
            () ->
                db.runCommand(
                    raw,
                    new Document("insert", "c")
                        .append("documents", List.of(new Document("_id", 1)))
                        .append("txnNumber", 1L)
                        .append("startTransaction", true)
                        .append("autocommit", false)));
    failOnce("insert", 91);
    MongoCommandException retryableWrite =
        commandError(
            () ->
                db.runCommand(
                    raw,
                    new Document("insert", "c")
                        .append("documents", List.of(new Document("_id", 2)))
                        .append("txnNumber", 2L)));
    db.runCommand(
        raw,
        new Document("insert", "c")
            .append("documents", List.of(new Document("_id", 3)))
            .append("txnNumber", 3L)
            .append("startTransaction", true)
            .append("autocommit", false));
    failOnce("commitTransaction", 251);
    Document commit =
        new Document("commitTransaction", 1).append("txnNumber", 3L).append("autocommit", false);
    MongoCommandException noSuchTransaction = commandError(() -> admin.runCommand(raw, commit));
    failOnce("commitTransaction", 11601);
    MongoCommandException interrupted = commandError(() -> admin.runCommand(raw, commit));

    assertThat(inTransaction.getErrorCodeName()).isEqualTo("NotWritablePrimary");
    assertThat(inTransaction.getErrorLabels()).containsExactly("TransientTransactionError");
    assertThat(inTransaction.getResponse().containsKey("topologyVersion"))
        .as("a replica-set member's NotWritablePrimary names its topologyVersion, as mongod's")
        .isTrue();
    assertThat(retryableWrite.getErrorCodeName()).isEqualTo("ShutdownInProgress");
    assertThat(retryableWrite.getResponse().containsKey("topologyVersion"))
        .as("a shutdown error outside quiesce mode names none")
        .isFalse();
    assertThat(retryableWrite.getErrorLabels()).containsExactly("RetryableWriteError");
    assertThat(noSuchTransaction.getErrorLabels()).containsExactly("TransientTransactionError");
    assertThat(interrupted.getErrorCodeName()).isEqualTo("Interrupted");
    assertThat(interrupted.getErrorLabels()).isEmpty();
  }

  private void failOnce(String command, int code) {
    admin.runCommand(
        new Document("configureFailPoint", "failCommand")
            .append("mode", new Document("times", 1))
            .append(
                "data", new Document("failCommands", List.of(command)).append("errorCode", code)));
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
  void commandsNotNamedAndModeOffAreServed() {
    admin.runCommand(
        new Document("configureFailPoint", "failCommand")
            .append("mode", "alwaysOn")
            .append("data", new Document("failCommands", List.of("find")).append("errorCode", 2)));
    collection.insertOne(new Document("x", 1));
    assertThatThrownBy(() -> collection.find().first())
        .asInstanceOf(type(MongoException.class))
        .extracting(MongoException::getCode)
        .isEqualTo(2);

    Document off =
        admin.runCommand(new Document("configureFailPoint", "failCommand").append("mode", "off"));

    assertThat(off.get("count", Number.class).intValue()).isEqualTo(1);
    assertThat(collection.find().first()).containsEntry("x", 1);
  }

  @Test
  void closeConnectionDropsTheConnectionInsteadOfAnswering() {
    admin.runCommand(
        new Document("configureFailPoint", "failCommand")
            .append("mode", new Document("times", 1))
            .append(
                "data",
                new Document("failCommands", List.of("insert")).append("closeConnection", true)));

    assertThatThrownBy(() -> collection.insertOne(new Document("x", 1)))
        .isInstanceOf(MongoSocketException.class);
    collection.insertOne(new Document("x", 2));
    assertThat(collection.countDocuments()).isEqualTo(1);
  }

  @Test
  void failGetMoreAfterCursorCheckoutLabelsResumableCodesOnly() {
    for (int i = 0; i < 3; i++) {
      collection.insertOne(new Document("i", i));
    }
    admin.runCommand(
        new Document("configureFailPoint", "failGetMoreAfterCursorCheckout")
            .append("mode", new Document("times", 1))
            .append("data", new Document("errorCode", 6)));
    assertThatThrownBy(() -> collection.find().batchSize(1).into(new java.util.ArrayList<>()))
        .asInstanceOf(type(MongoException.class))
        .satisfies(
            e -> {
              assertThat(e.getCode()).isEqualTo(6);
              assertThat(e.hasErrorLabel("ResumableChangeStreamError")).isTrue();
            });

    admin.runCommand(
        new Document("configureFailPoint", "failGetMoreAfterCursorCheckout")
            .append("mode", new Document("times", 1))
            .append("data", new Document("errorCode", 50)));
    assertThatThrownBy(() -> collection.find().batchSize(1).into(new java.util.ArrayList<>()))
        .asInstanceOf(type(MongoException.class))
        .satisfies(e -> assertThat(e.hasErrorLabel("ResumableChangeStreamError")).isFalse());
  }

  @Test
  void configureFailPointIsAnAdminCommandAndKnowsItsFailPoints() {
    MongoDatabase db = client.getDatabase("db");
    assertThatThrownBy(
            () ->
                db.runCommand(
                    new Document("configureFailPoint", "failCommand").append("mode", "off")))
        .isInstanceOf(MongoCommandException.class)
        .hasMessageContaining("admin");
    assertThatThrownBy(
            () ->
                admin.runCommand(
                    new Document("configureFailPoint", "noSuchFailPoint").append("mode", "off")))
        .isInstanceOf(MongoCommandException.class)
        .hasMessageContaining("noSuchFailPoint");
  }
}
