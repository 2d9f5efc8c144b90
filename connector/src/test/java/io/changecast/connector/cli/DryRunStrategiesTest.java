package io.changecast.connector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.contract.RawPartitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * dry-run resolves tenants with the router's own rule ({@code
 * io.changecast.contract.TenantStrategy}) for every strategy, and keys records with the config's
 * own {@code TenantHeader} transform.
 */
class DryRunStrategiesTest {

  private static final String SAMPLES =
      """
      [
        {"db": "app", "coll": "acme_orders", "document": {"_id": 1, "tenantId": "globex"}},
        {"db": "app", "coll": "orders", "document": {"_id": 2, "tenantId": {"$numberLong": "7"}}}
      ]
      """;

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "field:tenantId|globex|7|[7, globex]",
        "database|app|app|[app]",
        "static:shared|shared|shared|[shared]"
      })
  void everyOtherStrategyNamesTheRoutersTenant(
      String spec, String first, String second, String tenants) throws IOException {
    CliRun run = dryRun(anyCollection(), "--tenant-strategy", spec);

    assertThat(run.exitCode()).isZero();
    assertThat(run.outLines())
        .containsExactly(
            "sample 1: app.acme_orders -> topic changecast.raw.app.acme_orders, tenant \""
                + first
                + "\", type acme_orders.created",
            "sample 2: app.orders -> topic changecast.raw.app.orders, tenant \""
                + second
                + "\", type orders.created",
            "2 samples: 2 routed to tenants " + tenants + ", 0 dead-lettered, 0 not captured");
  }

  @Test
  void collectionPrefixStrategyCutsTheTenantAndTypesByTheBaseCollection() throws IOException {
    CliRun run = dryRun(anyCollection(), "--tenant-strategy", "collection-prefix:_");

    assertThat(run.exitCode()).as("a dead-lettered sample fails the dry run").isEqualTo(1);
    assertThat(run.outLines())
        .containsExactly(
            "sample 1: app.acme_orders -> topic changecast.raw.app.acme_orders, tenant \"acme\","
                + " type orders.created",
            "sample 2: app.orders -> topic changecast.raw.app.orders, no tenant: collection"
                + " \"orders\" does not start with a tenant and \"_\" (collection-prefix:_): the"
                + " router dead-letters it to changecast.dlq",
            "2 samples: 1 routed to tenants [acme], 1 dead-lettered, 0 not captured");
  }

  @Test
  void collectionPrefixOnPartitionedTopicsIsKeyedByTheConfigsTransform() throws IOException {
    Path config = keyedConfig(dir, "collection", 4, "ns.coll", "_");

    CliRun run = dryRun(config, "--tenant-strategy", "collection-prefix:_");

    assertThat(run.outLines().get(0))
        .isEqualTo(
            "sample 1: app.acme_orders -> topic changecast.raw.app.acme_orders, tenant \"acme\","
                + " type orders.created, partition "
                + RawPartitions.partitionOf("acme", 4)
                + " of 4");
    assertThat(run.outLines().get(1)).contains("no tenant: collection \"orders\"");
  }

  @Test
  void aTransformKeyingByAnotherFieldThanTheStrategyIsCaught() throws IOException {
    Path config = keyedConfig(dir, "collection", 4, "fullDocument.tenantId", "");
    int acme = RawPartitions.partitionOf("acme", 4);
    int globex = RawPartitions.partitionOf("globex", 4);
    assertThat(globex).as("the sample's two tenants land apart").isNotEqualTo(acme);

    CliRun run = dryRun(config, "--tenant-strategy", "collection-prefix:_");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.outLines().get(0))
        .isEqualTo(
            "sample 1: app.acme_orders -> topic changecast.raw.app.acme_orders, keyed \"globex\""
                + " (partition "
                + globex
                + ") but the router's tenant \"acme\" belongs to partition "
                + acme
                + " of 4: the router dead-letters it to changecast.dlq");
  }

  @Test
  void namespaceWideEventsThatWouldMissRouterTasksRefuseTheDryRun() throws IOException {
    Path official = keyedConfig(dir, "collection", 3, "ns.coll", "_");
    ObjectNode root = (ObjectNode) new ObjectMapper().readTree(Files.readString(official));
    ((ObjectNode) root.get("config"))
        .put("connector.class", "com.mongodb.kafka.connect.MongoSourceConnector")
        .remove("changecast.raw.partitions");
    Files.writeString(official, root.toString());
    CliRun bare = dryRun(official, "--tenant-strategy", "collection-prefix:_");
    ((ObjectNode) root.get("config"))
        .put("connector.class", "io.changecast.connector.source.ChangecastSourceConnector")
        .put("changecast.raw.partitions", "2");
    Files.writeString(official, root.toString());
    CliRun fewer = dryRun(official, "--tenant-strategy", "collection-prefix:_");

    assertThat(bare.exitCode()).isEqualTo(1);
    assertThat(bare.outLines())
        .containsExactly(official + ": ERROR " + ValidateCommandTest.OFFICIAL_UNSAFE);
    assertThat(fewer.exitCode()).isEqualTo(1);
    assertThat(fewer.outLines())
        .containsExactly(
            official
                + ": ERROR changecast.raw.partitions: found \"2\", expected \"3\", the router's"
                + " raw.partitions (the connector writes each namespace-wide event (drop, rename,"
                + " dropDatabase, invalidate, history lost) once to each of its 2 partitions, so"
                + " that every router task resets its own tenants; with the router's 3 tasks, the"
                + " tenants of the other tasks would get no reset)");
  }

  @Test
  void aMalformedOrDoubleStrategyIsAUsageError() throws IOException {
    CliRun bad = dryRun(anyCollection(), "--tenant-strategy", "collection-prefix");
    CliRun both =
        dryRun(anyCollection(), "--tenant-strategy", "database", "--tenant-field", "tenantId");

    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .startsWith(
            "changecast-connect: tenant strategy: collection-prefix needs a separator, e.g."
                + " collection-prefix:_");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err())
        .startsWith(
            "changecast-connect: --tenant-strategy, --tenant-field and --tenant-database exclude"
                + " each other");
  }

  /**
   * The example source config without its {@code unset} key, on raw topics of {@code partitions}
   * partitions keyed by a {@code TenantHeader$Value} transform reading {@code field} (cut at {@code
   * separator} when not empty).
   */
  static Path keyedConfig(Path dir, String unset, int partitions, String field, String separator)
      throws IOException {
    ObjectNode root = ValidateCommandTest.appSource();
    ObjectNode c = (ObjectNode) root.get("config");
    c.remove(unset);
    // Changecast's source connector: it writes namespace-wide events to every partition
    c.put("connector.class", "io.changecast.connector.source.ChangecastSourceConnector")
        .put("changecast.raw.partitions", Integer.toString(partitions))
        .put("topic.creation.default.partitions", Integer.toString(partitions))
        .put("transforms", "tenant")
        .put("transforms.tenant.type", "io.changecast.connector.transforms.TenantHeader$Value")
        .put("transforms.tenant.field", field)
        .put("transforms.tenant.key", "true");
    if (!separator.isEmpty()) {
      c.put("transforms.tenant.prefix.separator", separator);
    }
    return Files.writeString(dir.resolve("keyed.json"), root.toString());
  }

  /** The example source config without its collection filter: every collection of app. */
  private Path anyCollection() throws IOException {
    ObjectNode root = ValidateCommandTest.appSource();
    ((ObjectNode) root.get("config")).remove("collection");
    return Files.writeString(dir.resolve("any.json"), root.toString());
  }

  private CliRun dryRun(Path config, String... options) throws IOException {
    Path samples = Files.writeString(dir.resolve("samples.json"), SAMPLES);
    String[] argv = new String[4 + options.length];
    argv[0] = "dry-run";
    argv[1] = config.toString();
    argv[2] = "--sample";
    argv[3] = samples.toString();
    System.arraycopy(options, 0, argv, 4, options.length);
    return CliRun.run(argv);
  }
}
