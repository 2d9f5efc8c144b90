package io.changecast.mongostandin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.changecast.embedded.mongo.EmbeddedMongo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MongodArgsTest {

  @Test
  void theComposeCommandIsAReplicaSetMemberOnAllInterfacesOnPort27017() throws Exception {
    MongodArgs args = MongodArgs.parse(Compose.argsOf(Compose.mongodCommand(), "mongod"));

    assertThat(args).isEqualTo(new MongodArgs("rs0", "0.0.0.0", 27017, false));
  }

  @Test
  void defaultsAreMongods() throws Exception {
    assertThat(MongodArgs.parse()).isEqualTo(new MongodArgs(null, "127.0.0.1", 27017, false));
  }

  @Test
  void flagsTakeValuesAfterAnEqualsSignToo() throws Exception {
    assertThat(MongodArgs.parse("--replSet=rs1", "--bind_ip=10.0.0.5", "--port=27018"))
        .isEqualTo(new MongodArgs("rs1", "10.0.0.5", 27018, false));
    assertThat(MongodArgs.parse("--help").help()).isTrue();
  }

  @Test
  void anUnknownFlagIsNamedWithTheSupportedOnes() {
    assertThatThrownBy(() -> MongodArgs.parse("--replSet", "rs0", "--dbpath", "/data/db"))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            "unknown option --dbpath; this mongod stand-in supports --replSet NAME, --bind_ip_all,"
                + " --bind_ip HOST, --port N, --help");
  }

  @Test
  void badValuesAreRejected() {
    assertThatThrownBy(() -> MongodArgs.parse("--port", "http"))
        .hasMessage("--port needs a number from 0 to 65535, was \"http\"");
    assertThatThrownBy(() -> MongodArgs.parse("--port", "70000"))
        .hasMessage("--port needs a number from 0 to 65535, was \"70000\"");
    assertThatThrownBy(() -> MongodArgs.parse("--replSet")).hasMessage("--replSet needs a value");
    assertThatThrownBy(() -> MongodArgs.parse("--replSet", "--port", "1"))
        .hasMessage("--replSet needs a value");
    assertThatThrownBy(() -> MongodArgs.parse("--bind_ip", "localhost,10.0.0.1"))
        .hasMessageStartingWith("--bind_ip takes one host");
    assertThatThrownBy(() -> MongodArgs.parse("--bind_ip_all", "--bind_ip", "127.0.0.1"))
        .hasMessage("--bind_ip and --bind_ip_all cannot both be given");
  }

  @Test
  void mongodExitsWithCode2AndUsageOnAnUnknownFlag() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit =
        Mongod.run(
            new String[] {"--fork"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("mongod: unknown option --fork; this mongod stand-in supports --replSet NAME")
        .contains("Usage: mongod");
  }

  @Test
  void theComposeCommandStartsAnUninitializedReplicaSetMember() throws Exception {
    List<String> command =
        new ArrayList<>(List.of(Compose.argsOf(Compose.mongodCommand(), "mongod")));
    command.addAll(List.of("--port", "0")); // the last --port wins, as with mongod
    try (EmbeddedMongo mongo = Mongod.start(MongodArgs.parse(command.toArray(String[]::new)));
        MongoClient client =
            MongoClients.create(
                "mongodb://127.0.0.1:" + mongo.port() + "/?directConnection=true")) {
      assertThat(mongo.replicaSet()).isEqualTo("rs0");
      assertThat(mongo.address().getAddress().isAnyLocalAddress()).isTrue();
      assertThat(client.getDatabase("admin").runCommand(new Document("hello", 1)))
          .containsEntry("isreplicaset", true)
          .containsEntry("isWritablePrimary", false);
    }
  }
}
