package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static io.changecast.router.TenantStrategyTopologyTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.config.Sequencing;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * drop, rename, dropDatabase and invalidate records, as the official connector publishes them: the
 * change event itself on the topic of its {@code ns} ({@code changecast.raw.app} for a
 * dropDatabase), keyed by {@code {"_id": <resume token>}}; an invalidate has no {@code ns}: older
 * versions (a simpler topic mapper) wrote it to the bare prefix's topic {@code changecast.raw.},
 * 2.0.1 publishes none. Each becomes a {@code changecast.reset} of the affected tenants, never a
 * dead letter, never nothing.
 */
class NamespaceChangeTopologyTest {

  private static final AtomicLong TOKENS = new AtomicLong();

  @TempDir Path stateDir;

  /** A namespace change event; {@code ns} and {@code to} are JSON or {@code null}. */
  static String ddl(String op, String ns, String to, int clusterSeconds) {
    return """
        {"_id": {"_data": "D%d"}, "operationType": "%s",
         "clusterTime": {"$timestamp": {"t": %d, "i": 1}},
         "wallTime": {"$date": "2023-11-14T22:13:20Z"}%s%s}"""
        .formatted(
            TOKENS.incrementAndGet(),
            op,
            clusterSeconds,
            ns == null ? "" : ", \"ns\": " + ns,
            to == null ? "" : ", \"to\": " + to);
  }

  private static String insert(String coll, int id, String tenant) {
    return event(
        "insert", "app", coll, id, "{\"_id\": %d, \"tenantId\": \"%s\"}".formatted(id, tenant));
  }

  private static String summary(JsonNode e) {
    return e.get("tenant").asText()
        + ":"
        + e.get("id").asText()
        + ":"
        + e.get("type").asText()
        + (e.has("reason") ? ":" + e.get("reason").asText() + ":" + e.get("namespaces") : "");
  }

  private static final String ORDERS = "[{\"db\":\"app\",\"coll\":\"orders\"}]";

  @ParameterizedTest
  @EnumSource(Sequencing.class)
  void dropResetsTheCollectionsTenantsAndForgetsItsDocuments(Sequencing sequencing) {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("sequencing", sequencing.configValue()))) {
      var orders = router.input("changecast.raw.app.orders");
      orders.pipeInput("k", insert("orders", 1, "acme"));
      orders.pipeInput("k", insert("orders", 2, "globex"));
      router.input("changecast.raw.app.invoices").pipeInput("k", insert("invoices", 3, "initech"));
      router.envelopes();

      orders.pipeInput(
          "{\"_id\": {\"_data\": \"x\"}}",
          ddl("drop", "{\"db\": \"app\", \"coll\": \"orders\"}", null, 1_700_000_100));

      List<JsonNode> resets = router.envelopes();
      assertThat(resets)
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly(
              "acme:2:changecast.reset:collection-dropped:" + ORDERS,
              "globex:2:changecast.reset:collection-dropped:" + ORDERS);
      assertThat(resets.get(0))
          .isEqualTo(
              RouterDriver.json(
                  """
                  {"id": "2", "tenant": "acme", "type": "changecast.reset", "operation": "reset",
                   "reason": "collection-dropped", "namespaces": [{"db": "app", "coll": "orders"}],
                   "clusterTime": {"t": 1700000100, "i": 1}, "routedAt": %d}"""
                      .formatted(RouterDriver.NOW)));
      assertThat(router.dlq.isEmpty()).isTrue();

      // the dropped documents are forgotten; the re-created collection routes as before
      orders.pipeInput("k", event("delete", "app", "orders", 1, null));
      orders.pipeInput("k", insert("orders", 1, "acme"));
      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly("acme:3:orders.created");
      assertThat(header(router.dlq.readRecord().headers(), "changecast.error.reason"))
          .isEqualTo("tenant-unresolved");
    }
  }

  @Test
  void renameResetsTheTenantsOfSourceAndTargetAndMovesTheDocuments() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      var orders = router.input("changecast.raw.app.orders");
      var archive = router.input("changecast.raw.app.archive");
      orders.pipeInput("k", insert("orders", 1, "acme"));
      archive.pipeInput("k", insert("archive", 9, "globex"));
      router.envelopes();

      orders.pipeInput(
          "k",
          ddl(
              "rename",
              "{\"db\": \"app\", \"coll\": \"orders\"}",
              "{\"db\": \"app\", \"coll\": \"archive\"}",
              1_700_000_100));
      String both = "[{\"db\":\"app\",\"coll\":\"orders\"},{\"db\":\"app\",\"coll\":\"archive\"}]";
      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly(
              "acme:2:changecast.reset:collection-renamed:" + both,
              "globex:2:changecast.reset:collection-renamed:" + both);

      // document 1 now lives in app.archive: its delete (no pre-image) still finds acme
      archive.pipeInput("k", event("delete", "app", "archive", 1, null));
      // and a drop of the target reaches the source's tenants too
      archive.pipeInput(
          "k", ddl("drop", "{\"db\": \"app\", \"coll\": \"archive\"}", null, 1_700_000_200));
      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly(
              "acme:3:archive.deleted",
              "acme:4:changecast.reset:collection-dropped:[{\"db\":\"app\",\"coll\":\"archive\"}]",
              "globex:3:changecast.reset:collection-dropped:[{\"db\":\"app\",\"coll\":\"archive\"}]");
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void dropDatabaseResetsTheTenantsOfEachOfItsCollections() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      router.input("changecast.raw.app.orders").pipeInput("k", insert("orders", 1, "acme"));
      router.input("changecast.raw.app.invoices").pipeInput("k", insert("invoices", 2, "globex"));
      router
          .input("changecast.raw.billing.orders")
          .pipeInput(
              "k",
              event("insert", "billing", "orders", 3, "{\"_id\": 3, \"tenantId\": \"initech\"}"));
      router.envelopes();

      router
          .input("changecast.raw.app")
          .pipeInput("k", ddl("dropDatabase", "{\"db\": \"app\"}", null, 1_700_000_100));

      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly(
              "acme:2:changecast.reset:database-dropped:[{\"db\":\"app\"}]",
              "globex:2:changecast.reset:database-dropped:[{\"db\":\"app\"}]");
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void invalidateResetsTheTenantsOfTheChangeThatCausedItOnTheBarePrefixTopic() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      var orders = router.input("changecast.raw.app.orders");
      orders.pipeInput("k", insert("orders", 1, "acme"));
      router.input("changecast.raw.app.invoices").pipeInput("k", insert("invoices", 2, "globex"));
      orders.pipeInput(
          "k", ddl("drop", "{\"db\": \"app\", \"coll\": \"orders\"}", null, 1_700_000_100));
      router.envelopes();

      // same cluster time as the drop that caused it; no ns: the connector's topic is the prefix
      router.input("changecast.raw.").pipeInput("k", ddl("invalidate", null, null, 1_700_000_100));

      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly("acme:3:changecast.reset:stream-invalidated:" + ORDERS);
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void invalidateOfUnknownCauseResetsEveryTenantForItsDatabases() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      router.input("changecast.raw.app.orders").pipeInput("k", insert("orders", 1, "acme"));
      router
          .input("changecast.raw.billing.orders")
          .pipeInput(
              "k", event("insert", "billing", "orders", 3, "{\"_id\": 3, \"tenantId\": \"acme\"}"));
      router
          .input("changecast.raw.billing.orders")
          .pipeInput(
              "k",
              event("insert", "billing", "orders", 4, "{\"_id\": 4, \"tenantId\": \"globex\"}"));
      router.envelopes();

      router.input("changecast.raw.").pipeInput("k", ddl("invalidate", null, null, 1_700_000_300));

      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly(
              "acme:3:changecast.reset:stream-invalidated:[{\"db\":\"app\"},{\"db\":\"billing\"}]",
              "globex:2:changecast.reset:stream-invalidated:[{\"db\":\"billing\"}]");
    }
  }

  @Test
  void aNamespaceChangeDeliveredTwiceResetsOnce() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      var orders = router.input("changecast.raw.app.orders");
      orders.pipeInput("k", insert("orders", 1, "acme"));
      String drop = ddl("drop", "{\"db\": \"app\", \"coll\": \"orders\"}", null, 1_700_000_100);
      orders.pipeInput("k", drop);
      orders.pipeInput("k", drop); // the connector re-sends what it had not committed

      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly(
              "acme:1:orders.created", "acme:2:changecast.reset:collection-dropped:" + ORDERS);
    }
  }

  @Test
  void expandedEventsThatChangeNoDocumentAreNeitherRoutedNorDeadLettered() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      var orders = router.input("changecast.raw.app.orders");
      orders.pipeInput("k", ddl("create", "{\"db\": \"app\", \"coll\": \"orders\"}", null, 1));
      orders.pipeInput(
          "k", ddl("createIndexes", "{\"db\": \"app\", \"coll\": \"orders\"}", null, 2));
      orders.pipeInput("k", insert("orders", 1, "acme"));

      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly("acme:1:orders.created");
      assertThat(router.dlq.isEmpty()).isTrue();
    }
  }

  @Test
  void aRenameWithoutTargetIsDeadLetteredNamingTheField() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      router
          .input("changecast.raw.app.orders")
          .pipeInput("k", ddl("rename", "{\"db\": \"app\", \"coll\": \"orders\"}", null, 1));

      assertThat(router.envelopes()).isEmpty();
      var dead = router.dlq.readRecord();
      assertThat(header(dead.headers(), "changecast.error.reason")).isEqualTo("missing-field");
      assertThat(header(dead.headers(), "changecast.error.detail")).isEqualTo("missing field 'to'");
    }
  }

  @Test
  void deleteWithPreImageTakesTheTenantFromThePreImageNotFromTheDocumentStore() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      var orders = router.input("changecast.raw.app.orders");
      orders.pipeInput("k", insert("orders", 1, "acme"));
      // moved to globex by an update without post-image: the store still says acme
      orders.pipeInput(
          "k",
          event(
              "delete",
              "app",
              "orders",
              1,
              null,
              "{\"_id\": 1, \"tenantId\": \"globex\", \"total\": 5}"));

      assertThat(router.envelopes())
          .extracting(NamespaceChangeTopologyTest::summary)
          .containsExactly("acme:1:orders.created", "globex:1:orders.deleted");
      assertThat(
              router
                  .driver
                  .<String, String>getKeyValueStore(RouterTopology.DOCUMENT_TENANTS_STORE)
                  .approximateNumEntries())
          .isZero();
    }
  }
}
