package io.changecast.router;

import static io.changecast.router.RouterDriver.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenant strategies, event type rules and pre-images, per collection from config. */
class TenantStrategyTopologyTest {

  private static final AtomicLong TOKENS = new AtomicLong();

  @TempDir Path stateDir;

  static String event(String op, String db, String coll, int id, String document) {
    return event(op, db, coll, id, document, null);
  }

  static String event(String op, String db, String coll, int id, String document, String before) {
    return """
        {"_id": {"_data": "T%d"}, "operationType": "%s",
         "clusterTime": {"$timestamp": {"t": 1700000000, "i": 1}},
         "ns": {"db": "%s", "coll": "%s"}, "documentKey": {"_id": %d}%s%s}"""
        .formatted(
            TOKENS.incrementAndGet(),
            op,
            db,
            coll,
            id,
            document == null ? "" : ", \"fullDocument\": " + document,
            before == null ? "" : ", \"fullDocumentBeforeChange\": " + before);
  }

  /**
   * The {@code document-tenants} changelog gets a record only where the store can be read later (an
   * event without document under a {@code field:} strategy): a document's tenant first seen or
   * changed, and a delete of a remembered document.
   */
  @Test
  void documentTenantsIsWrittenOnlyWhenADocumentsTenantIsFirstSeenOrChanges() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      TestInputTopic<String, String> orders = router.input("changecast.raw.app.orders");
      String acme = "{\"_id\": 1, \"tenantId\": \"acme\"}";
      String globex = "{\"_id\": 1, \"tenantId\": \"globex\"}";
      orders.pipeInput("k", event("insert", "app", "orders", 1, acme)); // first seen: written
      orders.pipeInput("k", event("update", "app", "orders", 1, acme)); // same tenant
      orders.pipeInput("k", event("update", "app", "orders", 1, globex)); // changed: written
      orders.pipeInput("k", event("update", "app", "orders", 1, null, globex)); // pre-image
      orders.pipeInput("k", event("update", "app", "orders", 1, null)); // read from the store
      orders.pipeInput("k", event("delete", "app", "orders", 1, null)); // forgotten: tombstone
      orders.pipeInput("k", event("insert", "app", "orders", 2, acme.replace("1", "2")));
      orders.pipeInput("k", event("delete", "app", "orders", 2, null, acme)); // tombstone
      orders.pipeInput("k", event("delete", "app", "orders", 3, null, acme)); // never stored

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText() + ":" + e.get("operation").asText())
          .containsExactly(
              "acme:insert",
              "acme:update",
              "globex:update",
              "globex:update",
              "globex:update",
              "globex:delete",
              "acme:insert",
              "acme:delete",
              "acme:delete");
      assertThat(documentTenantsChangelog(router))
          .containsExactly("acme", "globex", null, "acme", null);
    }
  }

  @Test
  void namespaceStrategiesWriteNoDocumentTenants() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("collections.*.*.tenant", "database"))) {
      TestInputTopic<String, String> orders = router.input("changecast.raw.acme.orders");
      orders.pipeInput("k", event("insert", "acme", "orders", 1, "{\"_id\": 1}"));
      orders.pipeInput("k", event("update", "acme", "orders", 1, null));
      orders.pipeInput("k", event("delete", "acme", "orders", 1, null));

      assertThat(router.envelopes()).hasSize(3);
      assertThat(documentTenantsChangelog(router)).isEmpty();
    }
  }

  private static java.util.List<String> documentTenantsChangelog(RouterDriver router) {
    return router
        .output(
            router.config.applicationId()
                + "-"
                + RouterTopology.DOCUMENT_TENANTS_STORE
                + "-changelog")
        .readValuesToList();
  }

  @Test
  void databaseStrategyMakesTheDatabaseTheTenant() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("collections.*.*.tenant", "database"))) {
      router
          .input("changecast.raw.acme.orders")
          .pipeInput("k", event("insert", "acme", "orders", 1, "{\"_id\": 1}"));
      router
          .input("changecast.raw.globex.orders")
          .pipeInput("k", event("delete", "globex", "orders", 2, null));

      assertThat(router.envelopes())
          .extracting(
              e ->
                  e.get("tenant").asText()
                      + ":"
                      + e.get("id").asText()
                      + ":"
                      + e.get("type").asText())
          .containsExactly("acme:1:orders.created", "globex:1:orders.deleted");
    }
  }

  @Test
  void collectionPrefixStrategyTakesTheTenantFromTheCollectionNameAndTypesByTheRest() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("collections.saas.*.tenant", "collection-prefix:__"))) {
      TestInputTopic<String, String> acme = router.input("changecast.raw.saas.acme__orders");
      acme.pipeInput("k", event("insert", "saas", "acme__orders", 1, "{\"_id\": 1}"));
      acme.pipeInput("k", event("delete", "saas", "acme__orders", 1, null));
      router
          .input("changecast.raw.saas.orders")
          .pipeInput("k", event("insert", "saas", "orders", 1, "{\"_id\": 1}"));

      assertThat(router.envelopes())
          .extracting(
              e ->
                  e.get("tenant").asText()
                      + ":"
                      + e.get("type").asText()
                      + ":"
                      + e.get("collection").asText())
          .containsExactly("acme:orders.created:acme__orders", "acme:orders.deleted:acme__orders");
      TestRecord<String, String> dead = router.dlq.readRecord();
      assertThat(header(dead.headers(), "changecast.error.reason")).isEqualTo("tenant-unresolved");
      assertThat(header(dead.headers(), "changecast.error.detail"))
          .contains("collection-prefix:__");
    }
  }

  @Test
  void staticStrategyPutsEveryEventOfTheCollectionInOneTenant() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("collections.app.settings.tenant", "static:platform"))) {
      router
          .input("changecast.raw.app.settings")
          .pipeInput("k", event("delete", "app", "settings", 9, null));
      router
          .input("changecast.raw.app.orders")
          .pipeInput(
              "k", event("insert", "app", "orders", 1, "{\"_id\": 1, \"tenantId\": \"acme\"}"));

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText() + ":" + e.get("type").asText())
          .containsExactly("platform:settings.deleted", "acme:orders.created");
    }
  }

  @Test
  void fieldStrategyPerCollectionWithDottedPath() {
    try (RouterDriver router =
        new RouterDriver(stateDir, Map.of("collections.app.invoices.tenant", "field:owner.org"))) {
      router
          .input("changecast.raw.app.invoices")
          .pipeInput(
              "k",
              event(
                  "insert",
                  "app",
                  "invoices",
                  1,
                  "{\"_id\": 1, \"owner\": {\"org\": \"initech\"}, \"tenantId\": \"no\"}"));

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText())
          .containsExactly("initech");
    }
  }

  @Test
  void deleteWithPreImageResolvesFromThePreImageWithoutAnEarlierEvent() {
    try (RouterDriver router = new RouterDriver(stateDir, Map.of())) {
      router
          .input("changecast.raw.app.orders")
          .pipeInput(
              "k",
              event("delete", "app", "orders", 5, null, "{\"_id\": 5, \"tenantId\": \"acme\"}"));

      JsonNode envelope = router.envelopes().get(0);
      assertThat(envelope.get("tenant").asText()).isEqualTo("acme");
      assertThat(envelope.get("type").asText()).isEqualTo("orders.deleted");
      assertThat(envelope.has("document")).isFalse();
      assertThat(envelope.has("documentBefore")).isFalse();
    }
  }

  @Test
  void eventTypeFromADocumentFieldFallsBackToTheDefaultWithoutDocument() {
    try (RouterDriver router =
        new RouterDriver(
            stateDir,
            Map.of(
                "collections.app.outbox.type", "field:eventType",
                "collections.app.orders.type", "name:order"))) {
      TestInputTopic<String, String> outbox = router.input("changecast.raw.app.outbox");
      outbox.pipeInput(
          "k",
          event(
              "insert",
              "app",
              "outbox",
              1,
              "{\"_id\": 1, \"tenantId\": \"acme\", \"eventType\": \"invoice.paid\"}"));
      outbox.pipeInput("k", event("delete", "app", "outbox", 1, null));
      router
          .input("changecast.raw.app.orders")
          .pipeInput(
              "k", event("replace", "app", "orders", 2, "{\"_id\": 2, \"tenantId\": \"acme\"}"));

      assertThat(router.envelopes())
          .extracting(e -> e.get("type").asText())
          .containsExactly("invoice.paid", "outbox.deleted", "order.replaced");
    }
  }

  @Test
  void mostSpecificRuleWins() {
    try (RouterDriver router =
        new RouterDriver(
            stateDir,
            Map.of(
                "tenant.strategy", "static:everyone",
                "collections.app.*.tenant", "database",
                "collections.app.orders.tenant", "static:orders-team",
                "collections.*.audit.type", "name:audit"))) {
      router
          .input("changecast.raw.app.orders")
          .pipeInput("k", event("insert", "app", "orders", 1, "{\"_id\": 1}"));
      router
          .input("changecast.raw.app.users")
          .pipeInput("k", event("insert", "app", "users", 1, "{\"_id\": 1}"));
      router
          .input("changecast.raw.other.audit")
          .pipeInput("k", event("insert", "other", "audit", 1, "{\"_id\": 1}"));

      assertThat(router.envelopes())
          .extracting(e -> e.get("tenant").asText() + ":" + e.get("type").asText())
          .containsExactly(
              "orders-team:orders.created", "app:users.created", "everyone:audit.created");
    }
  }
}
