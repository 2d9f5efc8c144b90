package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.router.config.SequencingException;
import java.nio.file.Path;
import java.util.Map;
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

  @Test
  void rawTopicsAndSequencesMustAgreeOnRawPartitions() {
    String changelog = "r-tenant-sequences-changelog";

    assertThat(
            ChangecastRouter.partitionProblem(
                3, Map.of("raw.a.x", 3, "raw.b.y", 3, "ingest", 3, changelog, 3), changelog))
        .isEmpty();
    assertThat(ChangecastRouter.partitionProblem(3, Map.of("raw.a.x", 3), changelog)).isEmpty();
    assertThat(
            ChangecastRouter.partitionProblem(
                3, Map.of("raw.a.x", 3, "raw.b.y", 1, "ingest", 3), changelog))
        .contains(
            "Direct sequencing with raw.partitions=3 needs 3 partition(s) in every raw topic and"
                + " the ingest topic, but {raw.b.y=1} (topic=partitions) differ. Create every raw"
                + " topic with 3 partitions (the connector's topic.creation.default.partitions)");
    assertThat(ChangecastRouter.partitionProblem(1, Map.of("raw.a.x", 3), changelog))
        .contains(
            "Direct sequencing with raw.partitions=1 needs 1 partition(s) in every raw topic and"
                + " the ingest topic, but {raw.a.x=3} (topic=partitions) differ. Recreate them"
                + " with one partition, key raw records by tenant and set raw.partitions to their"
                + " count, or set the router's 'sequencing' to by-tenant");
    assertThat(
            ChangecastRouter.partitionProblem(
                4, Map.of("raw.a.x", 4, "ingest", 4, changelog, 2), changelog))
        .contains(
            "The router's sequences were built on 2 partition(s) (topic"
                + " r-tenant-sequences-changelog), but raw.partitions is 4: changing the partition"
                + " count of a running deployment would move tenants between tasks and restart or"
                + " fork their ids. Keep raw.partitions=2, or follow the README's procedure"
                + " (Router, changing raw.partitions)");
  }
}
