package io.changecast.edge;

import static org.assertj.core.api.Assertions.assertThat;

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
}
