package io.changecast.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.documents.DocumentStoreOptions;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class EdgeStreamsPropertiesTest {

  @Test
  void theEventLogReadsCommittedRecordsOnly() {
    EdgeConfig config = EdgeConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9092"));

    StreamsConfig streams = new StreamsConfig(ChangecastEdge.streamsProperties(config));

    assertThat(streams.getGlobalConsumerConfigs("edge").get(ConsumerConfig.ISOLATION_LEVEL_CONFIG))
        .isEqualTo("read_committed");
  }

  @Test
  void theDocumentStoreKeepsBloomFiltersOnEveryLevelUnlessConfiguredOtherwise() {
    Map<String, String> base = Map.of("bootstrap.servers", "127.0.0.1:9092");
    assertThat(
            ChangecastEdge.streamsProperties(EdgeConfig.fromMap(base))
                .get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo(DocumentStoreOptions.class);
    assertThat(
            ChangecastEdge.streamsProperties(
                    EdgeConfig.fromMap(
                        Map.of(
                            "bootstrap.servers", "127.0.0.1:9092", "documents.enabled", "false")))
                .get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isNull();
    assertThat(
            ChangecastEdge.streamsProperties(
                    EdgeConfig.fromMap(
                        Map.of(
                            "bootstrap.servers",
                            "127.0.0.1:9092",
                            "streams.rocksdb.config.setter",
                            "com.example.Setter")))
                .get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo("com.example.Setter");
  }
}
