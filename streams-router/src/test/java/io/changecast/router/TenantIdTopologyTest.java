package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.contract.TenantStrategy;
import io.changecast.router.config.Sequencing;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared tenant id rule ({@code io.changecast.contract.TenantId}): a tenant the edge could
 * never serve is dead-lettered with its reason before an id is assigned, so the tenant's ids have
 * no gap and no subscriber waits for an event nobody can receive.
 */
class TenantIdTopologyTest {

  @TempDir Path stateDir;

  @ParameterizedTest
  @EnumSource(Sequencing.class)
  void invalidTenantGoesToTheDlqWithItsReasonAndConsumesNoId(Sequencing sequencing) {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("sequencing", sequencing.configValue()))) {
      TestInputTopic<String, String> orders = router.input("changecast.raw.app.orders");
      String bad =
          event("insert", "app", "orders", 2, "{\"_id\": 2, \"tenantId\": \"bad tenant/!\"}");
      orders.pipeInput(
          "k", event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"acme\"}"));
      orders.pipeInput("k", bad);
      orders.pipeInput(
          "k", event("insert", "app", "orders", 3, "{\"_id\": 3, \"tenantId\": \"..\"}"));
      orders.pipeInput(
          "k", event("insert", "app", "orders", 4, "{\"_id\": 4, \"tenantId\": \"acme\"}"));
      // the invalid tenant is not remembered: a later delete of its document is unresolved
      orders.pipeInput("k", event("delete", "app", "orders", 2, null));

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText() + ":" + e.get("id").asText())
          .containsExactly("acme:1", "acme:2");
      TestRecord<String, String> dead = router.dlq.readRecord();
      assertThat(dead.value()).isEqualTo(bad);
      assertThat(header(dead.headers(), "changecast.error.reason")).isEqualTo("tenant-invalid");
      assertThat(header(dead.headers(), "changecast.error.stage")).isEqualTo("resolve-tenant");
      assertThat(header(dead.headers(), "changecast.error.detail"))
          .isEqualTo(
              "the tenant id \"bad tenant/!\" has U+0020 at index 3; a tenant id is 1 to 128 of"
                  + " the characters A-Z a-z 0-9 . _ - (not . or ..) (tenant from field:tenantId)");
      TestRecord<String, String> dots = router.dlq.readRecord();
      assertThat(header(dots.headers(), "changecast.error.reason")).isEqualTo("tenant-invalid");
      assertThat(header(dots.headers(), "changecast.error.detail")).contains("dot-segment");
      assertThat(header(router.dlq.readRecord().headers(), "changecast.error.reason"))
          .isEqualTo("tenant-unresolved");
      assertThat(router.dlq.isEmpty()).isTrue();

      KeyValueStore<String, Long> sequences =
          router.driver.getKeyValueStore(RouterTopology.TENANT_SEQUENCES_STORE);
      assertThat(sequences.get("acme")).isEqualTo(2L);
      assertThat(sequences.get("bad tenant/!")).isNull();
      assertThat(sequences.get("..")).isNull();
    }
  }

  @Test
  void databaseStrategyDeadLettersADatabaseNameThatIsNoTenantId() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("collections.*.*.tenant", "database"))) {
      router // the connector's topic.namespace.map gives it a legal topic name
          .input("changecast.raw.cafe.orders")
          .pipeInput("k", event("insert", "caf\u00e9", "orders", 1, "{\"_id\": 1}"));

      assertThat(router.envelopes()).isEmpty();
      assertThat(header(router.dlq.readRecord().headers(), "changecast.error.detail"))
          .contains("'\u00e9' (U+00E9) at index 3")
          .endsWith("(tenant from database)");
    }
  }

  @Test
  void collectionPrefixStrategyDeadLettersAPrefixThatIsNoTenantIdAndSpendsNoId() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("collections.*.*.tenant", "collection-prefix:_"))) {
      router
          .input("changecast.raw.app.orders")
          .pipeInput("k", event("insert", "app", "a b_orders", 1, "{\"_id\": 1}"));
      router
          .input("changecast.raw.app.orders")
          .pipeInput("k", event("insert", "app", "acme_orders", 2, "{\"_id\": 2}"));

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText() + ":" + e.get("id").asText())
          .containsExactly("acme:1");
      TestRecord<String, String> dead = router.dlq.readRecord();
      assertThat(header(dead.headers(), "changecast.error.reason")).isEqualTo("tenant-invalid");
      assertThat(header(dead.headers(), "changecast.error.detail"))
          .isEqualTo(
              "the tenant id \"a b\" has U+0020 at index 1; a tenant id is 1 to 128 of the"
                  + " characters A-Z a-z 0-9 . _ - (not . or ..) (tenant from collection-prefix:_)");
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void aStaticTenantBreakingTheRuleIsAConfigError() {
    assertThatThrownBy(() -> TenantStrategy.parse("static:.."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("static:..: the tenant id \"..\" is a URL dot-segment");
  }
}
