package io.changecast.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessTest {

  @Test
  void aWaitEndsAtOnceWhenTheProcessEndsWithoutTheAnswer(@TempDir Path dir) {
    // A long timeout: the wait must end because the process ended, not because time ran out.
    Duration longWait = Duration.ofMinutes(10);
    try (ChildProcess child =
        ChildProcess.start(
            "dies", List.of("sh", "-c", "echo hello; exit 3"), dir.resolve("dies.log"))) {
      assertThat(child.await("hello", longWait)).isEqualTo("hello");
      assertThatThrownBy(() -> child.await("opened", longWait))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("dies ended before answering 'opened' (exited with 3)");
      // and every later wait as well
      assertThatThrownBy(() -> child.await("stats", longWait))
          .hasMessage("dies ended before answering 'stats' (exited with 3)");
    }
  }
}
