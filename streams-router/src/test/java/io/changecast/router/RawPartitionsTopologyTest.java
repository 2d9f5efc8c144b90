package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.contract.RawPartitions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenant-partitioned raw topics: a record is routed only from its tenant's partition (the test
 * driver reads every input record from partition 0), whatever else dead-letters with the reason.
 */
class RawPartitionsTopologyTest {

  @TempDir Path stateDir;

  @Test
  void thePartitionRuleIsKafkasDefaultPartitioner() {
    IntStream.range(0, 2_000)
        .mapToObj(i -> "tenant-" + i)
        .forEach(
            tenant ->
                assertThat(RawPartitions.partitionOf(tenant, 7))
                    .as(tenant)
                    .isEqualTo(
                        BuiltInPartitioner.partitionForKey(
                            tenant.getBytes(StandardCharsets.UTF_8), 7)));
  }

  @Test
  void recordsOutsideTheirTenantsPartitionAreDeadLetteredBeforeAnyIdIsSpent() {
    String home = tenantIn(0);
    String away = tenantNotIn(0);
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("tenant.strategy", "database", "raw.partitions", "3"))) {
      TestInputTopic<String, String> home1 = router.input("changecast.raw." + home + ".orders");
      TestInputTopic<String, String> away1 = router.input("changecast.raw." + away + ".orders");
      home1.pipeInput(home, event("insert", home, "orders", 1, "{\"_id\": 1}"));
      away1.pipeInput(away, event("insert", away, "orders", 1, "{\"_id\": 1}"));
      away1.pipeInput(null, event("insert", away, "orders", 2, "{\"_id\": 2}"));
      home1.pipeInput(home, event("update", home, "orders", 1, "{\"_id\": 1}"));

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText() + ":" + e.get("id").asLong())
          .containsExactly(home + ":1", home + ":2");
      int expected = RawPartitions.partitionOf(away, 3);
      TestRecord<String, String> keyed = router.dlq.readRecord();
      assertThat(header(keyed.headers(), "changecast.error.reason")).isEqualTo("tenant-partition");
      assertThat(header(keyed.headers(), "changecast.error.detail"))
          .isEqualTo(
              "tenant "
                  + away
                  + " belongs to partition "
                  + expected
                  + " of raw.partitions=3, but the record came from partition 0 of"
                  + " changecast.raw."
                  + away
                  + ".orders (key "
                  + away
                  + "); the key must be the tenant");
      TestRecord<String, String> unkeyed = router.dlq.readRecord();
      assertThat(header(unkeyed.headers(), "changecast.error.detail"))
          .isEqualTo(
              "tenant "
                  + away
                  + " belongs to partition "
                  + expected
                  + " of raw.partitions=3, but the record came from partition 0 of"
                  + " changecast.raw."
                  + away
                  + ".orders: it has no key; key raw records by tenant (TenantHeader key=true) or"
                  + " keep one partition");
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void ingestedEventsKeepThePartitioningToo() {
    String away = tenantNotIn(0);
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("tenant.strategy", "database", "raw.partitions", "2"))) {
      router
          .input("changecast.ingest")
          .pipeInput(
              away,
              "{\"tenant\": \""
                  + away
                  + "\", \"type\": \"billing.paid\", \"data\": {}, \"receivedAt\": 1}");

      assertThat(router.envelopes()).isEmpty();
      TestRecord<String, String> dead = router.dlq.readRecord();
      assertThat(header(dead.headers(), "changecast.error.reason")).isEqualTo("tenant-partition");
      assertThat(header(dead.headers(), "changecast.error.stage")).isEqualTo("ingest");
    }
  }

  @Test
  void onePartitionChecksNothing() {
    String away = tenantNotIn(0);
    try (RouterDriver router = new RouterDriver(stateDir, Map.of("tenant.strategy", "database"))) {
      router
          .input("changecast.raw." + away + ".orders")
          .pipeInput(null, event("insert", away, "orders", 1, "{\"_id\": 1}"));

      assertThat(router.envelopes()).hasSize(1);
    }
  }

  /**
   * The source connector writes a namespace-wide event to every partition; each task meets its
   * copy, resets the tenants it knows (only its own: they passed its partition check) and
   * dead-letters nothing, whatever the copy's key.
   */
  @Test
  void aNamespaceWideCopyResetsTheTasksOwnTenantsOnceAndIsNeverDeadLettered() {
    String home = tenantIn(0);
    try (RouterDriver router =
        new RouterDriver(
            stateDir, Map.of("tenant.strategy", "collection-prefix:_", "raw.partitions", "3"))) {
      router
          .input("changecast.raw.app." + home + "_orders")
          .pipeInput(home, event("insert", "app", home + "_orders", 1, "{\"_id\": 1}"));
      router
          .input("changecast.raw.app")
          .pipeInput(
              "{\"db\": \"app\"}",
              NamespaceChangeTopologyTest.ddl(
                  "dropDatabase", "{\"db\": \"app\"}", null, 1_700_000_100));

      assertThat(router.envelopes())
          .extracting(
              e ->
                  e.get("tenant").asText()
                      + ":"
                      + e.get("id").asLong()
                      + ":"
                      + e.get("type").asText()
                      + ":"
                      + e.path("reason").asText())
          .containsExactly(
              home + ":1:orders.created:", home + ":2:changecast.reset:database-dropped");
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void theRoutersNamespaceChangesAreTheContractsNamespaceWideOperations() {
    assertThat(
            java.util.Arrays.stream(
                    io.changecast.router.internal.parse.NamespaceChange.Kind.values())
                .map(io.changecast.router.internal.parse.NamespaceChange.Kind::operationType))
        .containsExactlyInAnyOrderElementsOf(RawPartitions.NAMESPACE_WIDE_OPERATIONS);
  }

  private static String tenantIn(int partition) {
    return IntStream.range(0, 100)
        .mapToObj(i -> "t" + i)
        .filter(t -> RawPartitions.partitionOf(t, 3) == partition)
        .findFirst()
        .orElseThrow();
  }

  private static String tenantNotIn(int partition) {
    return IntStream.range(0, 100)
        .mapToObj(i -> "t" + i)
        .filter(
            t ->
                RawPartitions.partitionOf(t, 3) != partition
                    && RawPartitions.partitionOf(t, 2) != partition)
        .findFirst()
        .orElseThrow();
  }
}
