package io.changecast.connector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dry-run applies the router's tenant id rule (the shared contract), not only the field lookup. */
class DryRunTenantIdTest {

  @TempDir Path dir;

  @Test
  void aTenantTheRouterRefusesIsReportedAsDeadLetteredWithTheReason() throws IOException {
    Path samples =
        Files.writeString(
            dir.resolve("samples.json"),
            """
            [
              {"db": "app", "coll": "orders", "document": {"_id": 1, "tenantId": "bad tenant/!"}},
              {"db": "app", "coll": "orders", "document": {"_id": 2, "tenantId": ".."}},
              {"db": "app", "coll": "orders", "document": {"_id": 3, "tenantId": ".acme"}}
            ]
            """);

    CliRun run =
        CliRun.run(
            "dry-run", ValidateCommandTest.APP_SOURCE.toString(), "--sample", samples.toString());

    assertThat(run.exitCode()).as("a dead-lettered sample fails the dry run").isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            "sample 1: app.orders -> topic changecast.raw.app.orders, invalid tenant: the tenant id"
                + " \"bad tenant/!\" has U+0020 at index 3; a tenant id is 1 to 128 of the"
                + " characters A-Z a-z 0-9 . _ - (not . or ..): the router dead-letters it to"
                + " changecast.dlq",
            "sample 2: app.orders -> topic changecast.raw.app.orders, invalid tenant: the tenant id"
                + " \"..\" is a URL dot-segment: /v1/tenants/../events resolves to another path:"
                + " the router dead-letters it to changecast.dlq",
            "sample 3: app.orders -> topic changecast.raw.app.orders, tenant \".acme\", type"
                + " orders.created",
            "3 samples: 1 routed to tenants [.acme], 2 dead-lettered, 0 not captured");
  }
}
