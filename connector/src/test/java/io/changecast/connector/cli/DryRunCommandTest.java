package io.changecast.connector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DryRunCommandTest {

  private static final String APP_SOURCE = ValidateCommandTest.APP_SOURCE.toString();

  @TempDir Path dir;

  @Test
  void showsTenantTypeAndRawTopicOfEachSample() throws IOException {
    Path samples =
        sample(
            """
            [
              {"db": "app", "coll": "orders", "document": {"_id": 1, "tenantId": "acme"}},
              {"db": "app", "coll": "users", "document": {"tenantId": {"$oid": "65a1b2c3d4e5f60718293a4b"}}},
              {"db": "app", "coll": "orders", "document": {"tenantId": 42}},
              {"db": "billing", "coll": "invoices", "document": {"tenantId": "acme"}}
            ]
            """);

    CliRun run = CliRun.run("dry-run", APP_SOURCE, "--sample", samples.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            "sample 1: app.orders -> topic changecast.raw.app.orders, tenant \"acme\", type"
                + " orders.created",
            "sample 2: app.users -> topic changecast.raw.app.users, tenant"
                + " \"65a1b2c3d4e5f60718293a4b\", type users.created",
            "sample 3: app.orders -> topic changecast.raw.app.orders, tenant \"42\", type"
                + " orders.created",
            "sample 4: billing.invoices -> not captured (the config watches database \"app\")",
            "4 samples: 3 routed to tenants [42, 65a1b2c3d4e5f60718293a4b, acme], 0 dead-lettered,"
                + " 1 not captured");
  }

  @Test
  void tenantPartitionedRawTopicsShowEachTenantsPartitionAndCatchAKeyOtherThanTheTenant()
      throws IOException {
    Path config = DryRunStrategiesTest.keyedConfig(dir, "database", 3, "ns.db", "");
    Path samples =
        sample(
            """
            [
              {"db": "acme", "coll": "orders", "document": {"_id": 1, "tenantId": "acme"}},
              {"db": "shared", "coll": "orders", "document": {"_id": 2, "tenantId": "acme"}}
            ]
            """);

    CliRun byDatabase =
        CliRun.run(
            "dry-run", config.toString(), "--sample", samples.toString(), "--tenant-database");
    CliRun byField = CliRun.run("dry-run", config.toString(), "--sample", samples.toString());

    int acme = io.changecast.contract.RawPartitions.partitionOf("acme", 3);
    int shared = io.changecast.contract.RawPartitions.partitionOf("shared", 3);
    assertThat(byDatabase.outLines())
        .containsExactly(
            "sample 1: acme.orders -> topic changecast.raw.acme.orders, tenant \"acme\", type"
                + " orders.created, partition "
                + acme
                + " of 3",
            "sample 2: shared.orders -> topic changecast.raw.shared.orders, tenant \"shared\","
                + " type orders.created, partition "
                + shared
                + " of 3",
            "2 samples: 2 routed to tenants [acme, shared], 0 dead-lettered, 0 not captured");
    assertThat(byField.exitCode()).isEqualTo(1);
    assertThat(byField.outLines().get(1))
        .isEqualTo(
            "sample 2: shared.orders -> topic changecast.raw.shared.orders, keyed \"shared\""
                + " (partition "
                + shared
                + ") but the router's tenant \"acme\" belongs to partition "
                + acme
                + " of 3: the router dead-letters it to changecast.dlq");
  }

  @Test
  void plainDocumentsUseTheConfigsDatabaseAndTheGivenCollection() throws IOException {
    Path samples = sample("[{\"org\": {\"id\": \"globex\"}}, {\"name\": \"no tenant\"}]");

    CliRun run =
        CliRun.run(
            "dry-run",
            APP_SOURCE,
            "--sample",
            samples.toString(),
            "--collection",
            "orders",
            "--tenant-field",
            "org.id");

    assertThat(run.exitCode()).as("a dead-lettered sample fails the dry run").isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            "sample 1: app.orders -> topic changecast.raw.app.orders, tenant \"globex\", type"
                + " orders.created",
            "sample 2: app.orders -> topic changecast.raw.app.orders, no tenant: field org.id is"
                + " missing or not a string or whole number: the router dead-letters it to"
                + " changecast.dlq",
            "2 samples: 1 routed to tenants [globex], 1 dead-lettered, 0 not captured");
  }

  @Test
  void pipelineMatchOnDatabasePrefixSelectsTenantDatabases() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("per-tenant.json"),
            """
            {"name": "t", "config": {
              "connector.class": "com.mongodb.kafka.connect.MongoSourceConnector",
              "topic.prefix": "changecast.raw",
              "pipeline": "[{\\"$match\\": {\\"ns.db\\": {\\"$regex\\": \\"^tenant_\\"}}}]"
            }}
            """);
    Path samples =
        sample(
            """
            [
              {"db": "tenant_acme", "coll": "orders", "document": {"_id": 1}},
              {"db": "admin", "coll": "system", "document": {"_id": 2}}
            ]
            """);

    CliRun run =
        CliRun.run(
            "dry-run", config.toString(), "--sample", samples.toString(), "--tenant-database");

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            "sample 1: tenant_acme.orders -> topic changecast.raw.tenant_acme.orders, tenant"
                + " \"tenant_acme\", type orders.created",
            "sample 2: admin.system -> not captured (the pipeline's $match excludes it)",
            "2 samples: 1 routed to tenants [tenant_acme], 0 dead-lettered, 1 not captured");
  }

  @Test
  void shippedTenantDatabasesConfigCapturesOnlyTenantDatabases() throws IOException {
    Path samples =
        sample(
            """
            [
              {"db": "tenant_globex", "coll": "orders", "document": {"_id": 1}},
              {"db": "app", "coll": "orders", "document": {"_id": 2}}
            ]
            """);

    CliRun run =
        CliRun.run(
            "dry-run",
            "../connect-configs/tenant-databases-source.json",
            "--sample",
            samples.toString(),
            "--tenant-database");

    assertThat(run.outLines())
        .containsExactly(
            "sample 1: tenant_globex.orders -> topic changecast.raw.tenant_globex.orders, tenant"
                + " \"tenant_globex\", type orders.created",
            "sample 2: app.orders -> not captured (the pipeline's $match excludes it)",
            "2 samples: 1 routed to tenants [tenant_globex], 0 dead-lettered, 1 not captured");
  }

  @Test
  void shippedDeploymentConfigSkipsSystemDatabasesAndCollections() throws IOException {
    Path samples =
        sample(
            """
            [
              {"db": "shop", "coll": "carts", "document": {"tenantId": "acme"}},
              {"db": "admin", "coll": "users", "document": {"tenantId": "acme"}},
              {"db": "shop", "coll": "system.views", "document": {"tenantId": "acme"}}
            ]
            """);

    CliRun run =
        CliRun.run(
            "dry-run", "../connect-configs/deployment-source.json", "--sample", samples.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            "sample 1: shop.carts -> topic changecast.raw.shop.carts, tenant \"acme\", type"
                + " carts.created",
            "sample 2: admin.users -> not captured (the pipeline's $match excludes it)",
            "sample 3: shop.system.views -> not captured (the pipeline's $match excludes it)",
            "3 samples: 1 routed to tenants [acme], 0 dead-lettered, 2 not captured");
  }

  @Test
  void fullDocumentOnlyShowsTheRoutersReplaceTyping() throws IOException {
    ObjectNode root = ValidateCommandTest.appSource();
    ((ObjectNode) root.get("config"))
        .put("publish.full.document.only", "true")
        .put("publish.full.document.only.tombstone.on.delete", "true");
    Path config = Files.writeString(dir.resolve("full.json"), root.toString());
    Path samples =
        sample("[{\"db\": \"app\", \"coll\": \"orders\", \"document\": {\"tenantId\": \"acme\"}}]");

    CliRun run = CliRun.run("dry-run", config.toString(), "--sample", samples.toString());

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            config
                + ": publish.full.document.only=true: with its input.format.full-document.pattern"
                + " matching the raw topics, the router makes every document a"
                + " <collection>.replaced event and every tombstone (a delete) a"
                + " <collection>.deleted event",
            "sample 1: app.orders -> topic changecast.raw.app.orders, tenant \"acme\", type"
                + " orders.replaced",
            "1 samples: 1 routed to tenants [acme], 0 dead-lettered, 0 not captured");
  }

  @Test
  void plainDocumentWithoutCollectionIsAnInvalidSample() throws IOException {
    Path samples = sample("[{\"tenantId\": \"acme\"}]");

    CliRun run = CliRun.run("dry-run", APP_SOURCE, "--sample", samples.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines().get(0))
        .isEqualTo(
            "sample 1: invalid sample (no collection: give {\"db\", \"coll\", \"document\"} or"
                + " --collection)");
  }

  @Test
  void missingSampleOptionIsAUsageError() {
    CliRun run = CliRun.run("dry-run", APP_SOURCE);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("changecast-connect: dry-run needs --sample DOCS.json");
  }

  private Path sample(String json) throws IOException {
    return Files.writeString(dir.resolve("samples.json"), json);
  }
}
