package io.changecast.mongostandin;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mongosh stand-in against an in-process replica-set member, with the compose file's own
 * healthcheck and {@code mongo-init} command.
 */
@Timeout(60)
class MongoshTest {

  private EmbeddedMongo mongo;
  private String host;

  @BeforeEach
  void start() {
    mongo = EmbeddedMongo.start(MongoOptions.defaults().withReplicaSet("rs0"));
    host = "127.0.0.1:" + mongo.port();
  }

  @AfterEach
  void stop() {
    mongo.close();
  }

  private record Run(int exit, String out, String err) {}

  private static Run mongosh(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Mongosh.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The compose healthcheck, pointed at {@code target} (the image runs it on 127.0.0.1:27017). */
  private static Run healthcheck(String target) {
    List<String> args = new ArrayList<>(List.of(Compose.argsOf(Compose.healthcheck(), "mongosh")));
    args.addAll(0, List.of("--host", target));
    return mongosh(args.toArray(String[]::new));
  }

  /** The compose {@code mongo-init} command, its {@code --host} pointed at the test server. */
  private Run init() {
    return mongosh(Compose.withHost(Compose.argsOf(Compose.initCommand(), "mongosh"), host));
  }

  private Document hello() {
    try (MongoClient client = MongoClients.create(mongo.connectionString())) {
      return client.getDatabase("admin").runCommand(new Document("hello", 1));
    }
  }

  @Test
  void theHealthcheckPrintsOneAndSucceedsBeforeAndAfterInitiation() {
    assertThat(healthcheck(host)).isEqualTo(new Run(0, "1\n", ""));
    init();
    assertThat(healthcheck(host)).isEqualTo(new Run(0, "1\n", ""));
  }

  @Test
  void theHealthcheckFailsWhenTheServerIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    Run run = healthcheck("127.0.0.1:" + closedPort);

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("MongoServerSelectionError: ");
  }

  @Test
  void theInitCommandInitiatesTheReplicaSetWithTheComposeMemberHost() {
    assertThat(hello()).containsEntry("isWritablePrimary", false);

    Run run = init();

    assertThat(run).isEqualTo(new Run(0, "replica set rs0 ready\n", ""));
    assertThat(hello())
        .containsEntry("isWritablePrimary", true)
        .containsEntry("setName", "rs0")
        .containsEntry("me", "mongo:27017")
        .containsEntry("hosts", List.of("mongo:27017"));
  }

  @Test
  void theInitCommandIsIdempotent() {
    assertThat(init().exit()).isZero();

    assertThat(init()).isEqualTo(new Run(0, "replica set rs0 ready\n", ""));
  }

  @Test
  void commandErrorsAreCatchableWithCodeAndCodeName() {
    Run run =
        mongosh(
            "--host",
            host,
            "--eval",
            "try { rs.status(); print('no error') } catch (e) { print(e.code, e.codeName, e.message,"
                + " e instanceof Error) }");

    assertThat(run)
        .isEqualTo(
            new Run(0, "94 NotYetInitialized no replset config has been received true\n", ""));
  }

  @Test
  void anUncaughtErrorFailsTheRunAsMongoshReportsIt() {
    Run run = mongosh("--quiet", "--host", host, "--eval", "rs.status().ok");

    assertThat(run)
        .isEqualTo(new Run(1, "", "MongoServerError: no replset config has been received\n"));
    assertThat(mongosh("--host", host, "--eval", "throw new Error('boom')"))
        .isEqualTo(new Run(1, "", "Error: boom\n"));
    assertThat(mongosh("--host", host, "--eval", "this is not javascript").exit()).isEqualTo(1);
  }

  @Test
  void theLastValueIsPrintedAsMongoshPrintsIt() {
    mongosh("--host", host, "--eval", "rs.initiate()");

    assertThat(mongosh("--host", host, "--eval", "1 + 1").out()).isEqualTo("2\n");
    assertThat(mongosh("--host", host, "--eval", "'text'").out()).isEqualTo("text\n");
    assertThat(mongosh("--host", host, "--eval", "var x = 1").out()).isEmpty();
    assertThat(
            mongosh("--host", host, "--eval", "({a: 1, b: 'two', c: [true, null], 'd-e': {}})")
                .out())
        .isEqualTo("{ a: 1, b: 'two', c: [ true, null ], 'd-e': {} }\n");
    assertThat(mongosh("--host", host, "--eval", "rs.status().members[0].stateStr").out())
        .isEqualTo("PRIMARY\n");
    assertThat(mongosh("--host", host, "--eval", "rs.conf().members[0].host").out())
        .isEqualTo(host + "\n");
    assertThat(mongosh("--host", host, "--eval", "db.getSiblingDB('app').getName()").out())
        .isEqualTo("app\n");
  }

  @Test
  void collectionsAreReachableAsInMongosh() {
    mongosh("--host", host, "--eval", "rs.initiate()");

    Run run =
        mongosh(
            "mongodb://" + host + "/app",
            "--eval",
            "db.orders.insertOne({_id: 1, tenantId: 'acme', total: 12})",
            "--eval",
            "db.orders.updateOne({_id: 1}, {$set: {total: 13}}).modifiedCount",
            "--eval",
            "db.orders.find({tenantId: 'acme'}).toArray()",
            "--eval",
            "db.getCollection('orders').countDocuments({})");

    assertThat(run)
        .isEqualTo(
            new Run(
                0,
                "{ acknowledged: true, insertedId: 1 }\n1\n[ { _id: 1, tenantId: 'acme', total: 13 } ]\n1\n",
                ""));
  }

  @Test
  void aUsageErrorExitsWithCode2() {
    Run run = mongosh("--verbose", "--eval", "1");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("mongosh: unknown option --verbose;")
        .contains("Usage: mongosh");
  }
}
