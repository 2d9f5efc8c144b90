package io.changecast.router.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.testsupport.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicProvisionerTest {
  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Map<String, Object> admin() {
    return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
  }

  @Test
  void createdTopicsAreLedWhenItReturns() throws Exception {
    String first = KafkaBroker.unique("provisioned");
    String second = KafkaBroker.unique("provisioned");

    TopicProvisioner.ensureTopics(admin(), List.of(first, second), 3, (short) -1, TIMEOUT);

    // One describe, no retry: every partition already has a leader.
    Map<String, TopicDescription> described =
        kafka.admin().describeTopics(List.of(first, second)).allTopicNames().get();
    assertThat(described.values())
        .allSatisfy(
            description ->
                assertThat(description.partitions())
                    .hasSize(3)
                    .allSatisfy(partition -> assertThat(partition.leader()).isNotNull()));
  }

  @Test
  void existingTopicsAreLeftAsTheyAre() throws Exception {
    String existing = KafkaBroker.unique("existing");
    kafka.createTopic(existing, 2);

    TopicProvisioner.ensureTopics(admin(), List.of(existing), 5, (short) -1, TIMEOUT);

    assertThat(kafka.partitions(existing)).isEqualTo(2);
    assertThat(
            TopicProvisioner.partitionCounts(
                admin(), Pattern.compile(Pattern.quote(existing)), Set.of(), TIMEOUT))
        .containsExactly(Map.entry(existing, 2));
  }

  @Test
  void anUnreachableBrokerIsAnErrorNamingTheTopics() {
    Map<String, Object> unreachable =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 500,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 500);

    assertThatThrownBy(
            () ->
                TopicProvisioner.ensureTopics(
                    unreachable, List.of("orders-events"), 1, (short) -1, Duration.ofMillis(500)))
        .isInstanceOf(KafkaException.class)
        .hasMessageContaining("Cannot create topics [orders-events]");
  }
}
