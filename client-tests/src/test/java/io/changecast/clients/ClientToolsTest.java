package io.changecast.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A machine without a client's runtime fails the client's test with what to install. */
class ClientToolsTest {

  @Test
  void aRuntimeMissingFromThePathIsAFailureNamingWhatToInstall(@TempDir Path dir)
      throws IOException {
    assertThatThrownBy(() -> ClientTools.command("node", "Node.js 20.19 or later", dir.toString()))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "node is not on the PATH: the client tests need Node.js 20.19 or later (.ci/run"
                + " installs it)");

    Path node = Files.createFile(dir.resolve("node"));
    Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(ClientTools.command("node", "Node.js", "/nonexistent:" + dir)).isEqualTo("node");
  }

  @Test
  void aNodeOlderThanTheDriversNeedIsAFailure() {
    assertThatThrownBy(() -> ClientTools.checkNodeVersion("v18.19.0\n"))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "node v18.19.0 is too old: mongosh and the Node driver 7 need Node.js 20.19 or later");
    assertThatThrownBy(() -> ClientTools.checkNodeVersion("v20.18.3"))
        .hasMessageContaining("too old");
    ClientTools.checkNodeVersion("v20.19.0");
    ClientTools.checkNodeVersion("v22.1.0");
  }
}
