package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComposeStackTest {

  @Test
  void imagesOfTheNormalisedConfig() {
    String config =
        """
        networks:
          default: {}
        services:
          connect:
            command:
            - /opt/kafka/bin/connect-distributed.sh
            image: changecast/connect:0.1.0-SNAPSHOT
            ports:
            - target: 8083
          edge:
            environment:
              image: not-this-one
            image: 'changecast/sse-edge:0.1.0-SNAPSHOT'
          built:
            build:
              context: .
        version: '3.9'
        volumes:
          mongo-data: {}
        """;

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("connect", "changecast/connect:0.1.0-SNAPSHOT");
    expected.put("edge", "changecast/sse-edge:0.1.0-SNAPSHOT");
    expected.put("built", null);
    assertThat(ComposeStack.images(config)).containsExactlyEntriesOf(expected);
  }

  @Test
  void theRoutersSessionTimeout() {
    assertThat(
            ComposeStack.sessionTimeoutMs(
                """
                services:
                  router:
                    environment:
                      CHANGECAST_ROUTER_BOOTSTRAP_SERVERS: kafka:9092
                      CHANGECAST_ROUTER_STREAMS_SESSION_TIMEOUT_MS: '10000'
                """))
        .hasValue(10_000);
    assertThat(ComposeStack.sessionTimeoutMs("services:\n  router: {}\n")).isEmpty();
  }
}
