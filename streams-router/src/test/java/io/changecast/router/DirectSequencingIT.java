package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.changecast.router.config.RouterConfig;
import io.changecast.router.config.SequencingException;
import io.changecast.testsupport.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct sequencing on a real broker: every tenant's ids come from one task, so an input topic with
 * several partitions is refused, at start or when it appears later, and never sequenced twice.
 * By-tenant sequencing accepts it.
 */
class DirectSequencingIT {

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @TempDir Path stateDir;

  @Test
  void aPartitionedRawTopicStopsDirectSequencingAtStartWithTheTopicNamed() {
    String run = run();
    kafka.createTopic(run + ".raw.app.orders", 3);

    assertThatThrownBy(() -> ChangecastRouter.start(config(run, "direct")))
        .isInstanceOf(SequencingException.class)
        .hasMessageContaining(run + ".raw.app.orders=3")
        .hasMessageContaining("by-tenant");
  }

  @Test
  void changingRawPartitionsOfARunningDeploymentIsRefusedAtStart() {
    String run = run();
    kafka.createTopic(run + ".raw.app.orders", 2);
    try (ChangecastRouter router = ChangecastRouter.start(config(run, "direct", 2))) {
      await("router running on two tenant-partitioned tasks")
          .atMost(Duration.ofMinutes(1))
          .until(() -> router.state() == KafkaStreams.State.RUNNING);
    }
    await("sequences changelog created")
        .atMost(Duration.ofMinutes(1))
        .until(() -> kafka.partitions(run + "-tenant-sequences-changelog") == 2);

    assertThatThrownBy(() -> ChangecastRouter.start(config(run, "direct", 3)))
        .isInstanceOf(SequencingException.class)
        .hasMessage(
            "The router's sequences were built on 2 partition(s) (topic "
                + run
                + "-tenant-sequences-changelog), but raw.partitions is 3: changing the partition"
                + " count of a running deployment would move tenants between tasks and restart or"
                + " fork their ids. Keep raw.partitions=2, or follow the README's procedure"
                + " (Router, changing raw.partitions)");
  }

  @Test
  void byTenantSequencingAcceptsAPartitionedRawTopic() {
    String run = run();
    kafka.createTopic(run + ".raw.app.orders", 3);

    try (ChangecastRouter router = ChangecastRouter.start(config(run, "by-tenant"))) {
      await("router running")
          .atMost(Duration.ofMinutes(1))
          .until(() -> router.state() == KafkaStreams.State.RUNNING);
    }
  }

  @Test
  void aPartitionedRawTopicAppearingLaterStopsTheRouterInsteadOfRetryingForever() throws Exception {
    String run = run();
    // The pattern subscription notices the new topic at its next metadata refresh: every 3 s in
    // production, every 200 ms here.
    RouterConfig config =
        config(
            run,
            "direct",
            1,
            Map.of("streams.main.consumer." + ConsumerConfig.METADATA_MAX_AGE_CONFIG, "200"));
    try (ChangecastRouter router = ChangecastRouter.start(config)) {
      await("router running")
          .atMost(Duration.ofMinutes(1))
          .until(() -> router.state() == KafkaStreams.State.RUNNING);

      kafka.createTopic(run + ".raw.app.invoices", 2);
      try (KafkaProducer<String, String> producer = kafka.producer(Map.of())) {
        producer.send(new ProducerRecord<>(run + ".raw.app.invoices", 1, "k", "{}")).get();
      }

      assertThat(router.stopped())
          .succeedsWithin(Duration.ofMinutes(1))
          .isEqualTo(KafkaStreams.State.ERROR);
    }
  }

  private static String run() {
    return KafkaBroker.unique("seq");
  }

  private RouterConfig config(String run, String sequencing) {
    return config(run, sequencing, 1);
  }

  private RouterConfig config(String run, String sequencing, int rawPartitions) {
    return config(run, sequencing, rawPartitions, Map.of());
  }

  private RouterConfig config(
      String run, String sequencing, int rawPartitions, Map<String, String> more) {
    Map<String, String> settings = new HashMap<>(more);
    settings.putAll(
        Map.of(
            "raw.partitions",
            Integer.toString(rawPartitions),
            "bootstrap.servers",
            kafka.bootstrapServers(),
            "application.id",
            run,
            "state.dir",
            stateDir.toString(),
            "raw.topic.pattern",
            Pattern.quote(run + ".raw.") + ".+",
            "events.topic",
            run + ".events",
            "dlq.topic",
            run + ".dlq",
            "ingest.topic",
            run + ".ingest",
            "sequencing",
            sequencing));
    return RouterConfig.fromMap(settings);
  }
}
