package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;

class ChangecastRouterTest {

  @Test
  void readsTheConfigFileArgument() {
    assertThat(ChangecastRouter.configFile(new String[0])).isEmpty();
    assertThat(ChangecastRouter.configFile(new String[] {"--config", "r.properties"}))
        .isEqualTo(Optional.of(Path.of("r.properties")));
    assertThat(ChangecastRouter.configFile(new String[] {"--config=r.properties"}))
        .isEqualTo(Optional.of(Path.of("r.properties")));
  }

  @Test
  void rejectsOtherArguments() {
    assertThatThrownBy(() -> ChangecastRouter.configFile(new String[] {"--verbose"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unexpected argument '--verbose'");
    assertThatThrownBy(() -> ChangecastRouter.configFile(new String[] {"--config"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unexpected argument '--config'");
  }

  @Test
  void aStoreLeftLockedByAFailedThreadStopsTheRouterInsteadOfReplacingThreadsForever() {
    // as Kafka Streams reports it after an unclean recycle of a standby task (seen in the
    // cluster test): the replacement thread cannot open the store the failed one left open
    Throwable locked =
        new StreamsException(
            new ProcessorStateException(
                "Error opening store dedupe-tokens at location /tmp/x/0_0/rocksdb/dedupe-tokens",
                new RocksDBException(
                    "lock hold by current process, acquire time 1796603961 acquiring thread"
                        + " 139825821464256: /tmp/x/0_0/rocksdb/dedupe-tokens/LOCK: No locks"
                        + " available")));

    assertThat(ChangecastRouter.onStreamThreadFailure(locked))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(ChangecastRouter.onStreamThreadFailure(new SequencingException("two partitions")))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    assertThat(
            ChangecastRouter.onStreamThreadFailure(
                new StreamsException(new IllegalStateException("anything else"))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(
            ChangecastRouter.onStreamThreadFailure(
                new ProcessorStateException(new RocksDBException("IO error: No space left"))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }
}
