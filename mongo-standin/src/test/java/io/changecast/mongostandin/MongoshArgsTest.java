package io.changecast.mongostandin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MongoshArgsTest {

  @Test
  void theHealthcheckConnectsToLocalhost() throws Exception {
    MongoshArgs args = MongoshArgs.parse(Compose.argsOf(Compose.healthcheck(), "mongosh"));

    assertThat(args.connectionString()).isEqualTo("mongodb://127.0.0.1:27017/test");
    assertThat(args.scripts()).containsExactly("db.adminCommand('ping').ok");
    assertThat(args.quiet()).isTrue();
  }

  @Test
  void theInitCommandConnectsToItsHost() throws Exception {
    MongoshArgs args = MongoshArgs.parse(Compose.argsOf(Compose.initCommand(), "mongosh"));

    assertThat(args.connectionString()).isEqualTo("mongodb://mongo:27017/test");
    assertThat(args.scripts()).singleElement().asString().contains("rs.initiate(");
  }

  @Test
  void addressesAsMongoshTakesThem() throws Exception {
    assertThat(
            MongoshArgs.parse("mongodb://h:1/app?replicaSet=rs0", "--eval", "1").connectionString())
        .isEqualTo("mongodb://h:1/app?replicaSet=rs0");
    assertThat(MongoshArgs.parse("app", "--eval", "1").connectionString())
        .isEqualTo("mongodb://127.0.0.1:27017/app");
    assertThat(MongoshArgs.parse("h:2/app", "--eval", "1").connectionString())
        .isEqualTo("mongodb://h:2/app");
    assertThat(MongoshArgs.parse("--host", "h", "--port", "3", "--eval=1").connectionString())
        .isEqualTo("mongodb://h:3/test");
    assertThat(MongoshArgs.parse("--eval", "a", "--eval", "b").scripts())
        .isEqualTo(List.of("a", "b"));
  }

  @Test
  void unsupportedCommandLinesAreRejected() {
    assertThatThrownBy(() -> MongoshArgs.parse("--json", "--eval", "1"))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("unknown option --json; this mongosh stand-in supports --quiet,");
    assertThatThrownBy(() -> MongoshArgs.parse("--quiet"))
        .hasMessageStartingWith("--eval JS is required");
    assertThatThrownBy(() -> MongoshArgs.parse("a.js", "b.js", "--eval", "1"))
        .hasMessageContaining("script files are not supported");
    assertThatThrownBy(() -> MongoshArgs.parse("--host", "rs0/h:1,h:2", "--eval", "1"))
        .hasMessageStartingWith("--host takes one HOST[:PORT]");
    assertThatThrownBy(() -> MongoshArgs.parse("mongodb://h", "--host", "x", "--eval", "1"))
        .hasMessage("--host and --port cannot be combined with a connection string");
  }
}
