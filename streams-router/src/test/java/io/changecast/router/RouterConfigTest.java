package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.config.ConfigTable;
import io.changecast.router.config.CollectionRule;
import io.changecast.router.config.RouterConfig;
import io.changecast.router.config.Sequencing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouterConfigTest {

  @TempDir Path dir;

  @Test
  void appliesDefaults() {
    RouterConfig config = RouterConfig.fromMap(Map.of("bootstrap.servers", "localhost:9092"));

    assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.applicationId()).isEqualTo("changecast-router");
    assertThat(config.stateDir())
        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "changecast-router"));
    assertThat(config.rawTopicPattern()).isEqualTo("changecast\\.raw\\..*");
    assertThat(config.rawTopics().matcher("changecast.raw.app.orders").matches()).isTrue();
    assertThat(config.eventsTopic()).isEqualTo("changecast.events");
    assertThat(config.dlqTopic()).isEqualTo("changecast.dlq");
    assertThat(config.tenantField()).isEqualTo("tenantId");
    assertThat(config.commitIntervalMs()).isEqualTo(50);
    assertThat(config.commitLiveIntervalMs()).isEqualTo(10);
    assertThat(config.eventsPartitions()).isEqualTo(6);
    assertThat(config.topicsReplicationFactor()).isEqualTo((short) -1);
    assertThat(config.streamsProperties()).isEmpty();
  }

  @Test
  void readsEveryKeyAndPassesStreamsKeysThrough() {
    RouterConfig config =
        RouterConfig.fromMap(
            Map.ofEntries(
                Map.entry("bootstrap.servers", "b:1"),
                Map.entry("application.id", "router-2"),
                Map.entry("state.dir", dir.toString()),
                Map.entry("raw.topic.pattern", "raw\\..*"),
                Map.entry("events.topic", "ev"),
                Map.entry("dlq.topic", "dead"),
                Map.entry("tenant.field", "owner.tenant"),
                Map.entry("commit.interval.ms", "20"),
                Map.entry("events.partitions", "3"),
                Map.entry("topics.replication.factor", "3"),
                Map.entry("streams.num.stream.threads", "2")));

    assertThat(config)
        .isEqualTo(
            new RouterConfig(
                "b:1",
                "router-2",
                dir,
                "raw\\..*",
                "ev",
                "dead",
                "owner.tenant",
                20,
                10,
                3,
                (short) 3,
                100_000,
                "field:owner.tenant",
                List.of(),
                1024 * 1024,
                "changecast.ingest",
                false,
                "changecast.type.",
                "auto",
                "",
                "",
                -1,
                "127.0.0.1",
                1000,
                Sequencing.DIRECT,
                1,
                Map.of("num.stream.threads", "2")));
  }

  @Test
  void environmentOverridesTheFile() throws Exception {
    Path file = dir.resolve("router.properties");
    Files.writeString(
        file,
        "bootstrap.servers=file:9092\ntenant.field=fromFile\nevents.partitions=2\n"
            + "streams.num.stream.threads=1\n");

    RouterConfig config =
        RouterConfig.load(
            Optional.of(file),
            Map.of(
                "CHANGECAST_ROUTER_TENANT_FIELD", "account",
                "CHANGECAST_ROUTER_COMMIT_INTERVAL_MS", "25",
                "CHANGECAST_ROUTER_STREAMS_NUM_STREAM_THREADS", "4",
                "PATH", "/usr/bin",
                "CHANGECAST_EDGE_PORT", "8080"));

    assertThat(config.bootstrapServers()).isEqualTo("file:9092");
    assertThat(config.tenantField()).isEqualTo("account");
    assertThat(config.commitIntervalMs()).isEqualTo(25);
    assertThat(config.eventsPartitions()).isEqualTo(2);
    assertThat(config.streamsProperties()).isEqualTo(Map.of("num.stream.threads", "4"));
  }

  @Test
  void environmentAloneSuffices() {
    RouterConfig config =
        RouterConfig.load(Optional.empty(), Map.of("CHANGECAST_ROUTER_BOOTSTRAP_SERVERS", "env:1"));

    assertThat(config.bootstrapServers()).isEqualTo("env:1");
    assertThat(RouterConfig.envName("topics.replication.factor"))
        .isEqualTo("CHANGECAST_ROUTER_TOPICS_REPLICATION_FACTOR");
  }

  @Test
  void unknownKeyIsNamedWithTheKnownOnes() {
    assertThatThrownBy(
            () -> RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", "tenant.feild", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Unknown router config key 'tenant.feild'; known keys: bootstrap.servers,"
                + " application.id, state.dir, topics.replication.factor, raw.topic.pattern,"
                + " events.topic, dlq.topic, events.partitions, ingest.topic,")
        .hasMessageEndingWith(
            ", or streams.<kafka streams property>, collections.<db>.<collection>.<tenant|type>");
  }

  @Test
  void unknownEnvironmentVariableIsNamed() {
    assertThatThrownBy(
            () ->
                RouterConfig.load(
                    Optional.empty(),
                    Map.of(
                        "CHANGECAST_ROUTER_BOOTSTRAP_SERVERS", "b:1",
                        "CHANGECAST_ROUTER_TENANT_FEILD", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Unknown router environment variable CHANGECAST_ROUTER_TENANT_FEILD; known:");
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.properties");

    assertThatThrownBy(() -> RouterConfig.load(Optional.of(missing), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot read router config file " + missing);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
          bootstrap.servers        | ' '          | Invalid router config 'bootstrap.servers': ''; expected a non-empty value
          commit.interval.ms       | fast         | Invalid router config 'commit.interval.ms': 'fast'; expected a whole number
          commit.interval.ms       | -1           | Invalid router config 'commit.interval.ms': '-1'; expected a number >= 0
          commit.live.interval.ms  | -1           | Invalid router config 'commit.live.interval.ms': '-1'; expected a number >= 0
          events.partitions        | 0            | Invalid router config 'events.partitions': '0'; expected a number >= 1
          events.partitions        | 99999999999  | Invalid router config 'events.partitions': '99999999999'; expected a whole number (32-bit)
          topics.replication.factor| 0            | Invalid router config 'topics.replication.factor': '0'; expected -1 (broker default) or a number >= 1
          raw.topic.pattern        | (            | Invalid router config 'raw.topic.pattern': '('; expected a Java regex: Unclosed group
          raw.topic.pattern        | changecast\\..+ | Invalid router config 'raw.topic.pattern': 'changecast\\..+'; it matches the output topic 'changecast.events'; the router would read its own output
          events.topic             | bad topic    | Invalid router config 'events.topic': 'bad topic'; expected a Kafka topic name (letters, digits, '.', '_', '-')
          dlq.topic                | changecast.events | Invalid router config 'dlq.topic': 'changecast.events'; it must differ from events.topic
          tenant.field             | a..b         | Invalid router config 'tenant.field': 'a..b'; expected a field name or a dotted path like a.b
          streams.                 | x            | Invalid router config 'streams.': 'x'; expected streams.<kafka streams property>
          """)
  void badValuesAreNamed(String key, String value, String message) {
    Map<String, String> values = new java.util.HashMap<>(Map.of("bootstrap.servers", "b:1"));
    values.put(key, value.equals("' '") ? " " : value);

    assertThatThrownBy(() -> RouterConfig.fromMap(values))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void fullDocumentPatternNeedsTheNamespaceGroups() {
    String key = "input.format.full-document.pattern";
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of("bootstrap.servers", "b:1", key, "changecast\\.raw\\..+")))
        .hasMessage(
            "Invalid router config '"
                + key
                + "': 'changecast\\.raw\\..+'; expected the named groups (?<db>...) and"
                + " (?<coll>...) naming the topic's namespace, e.g."
                + " changecast\\.raw\\.(?<db>[^.]+)\\.(?<coll>.+)");
    assertThatThrownBy(
            () -> RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", key, "(?<db>x")))
        .hasMessageStartingWith(
            "Invalid router config '" + key + "': '(?<db>x'; expected a Java regex: ");
    assertThat(
            RouterConfig.fromMap(
                    Map.of("bootstrap.servers", "b:1", key, "full\\.(?<db>[^.]+)\\.(?<coll>.+)"))
                .fullDocumentTopicPattern())
        .isEqualTo("full\\.(?<db>[^.]+)\\.(?<coll>.+)");
  }

  @Test
  void rawPartitionsNeedDirectSequencingAndATenantPerRecord() {
    assertThat(RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1")).rawPartitions())
        .isEqualTo(1);
    assertThat(
            RouterConfig.fromMap(
                    Map.of(
                        "bootstrap.servers", "b:1",
                        "tenant.strategy", "database",
                        "raw.partitions", "3"))
                .rawPartitions())
        .isEqualTo(3);
    assertThatThrownBy(
            () -> RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", "raw.partitions", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid router config 'raw.partitions': '0'; expected a number from 1 to 10000");
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of(
                        "bootstrap.servers", "b:1",
                        "raw.partitions", "3",
                        "sequencing", "by-tenant")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid router config 'raw.partitions': '3'; tenant-partitioned raw topics need"
                + " sequencing=direct (by-tenant repartitions by tenant itself and keeps"
                + " raw.partitions=1)");
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of(
                        "bootstrap.servers", "b:1",
                        "raw.partitions", "2",
                        "tenant.strategy", "static:acme")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid router config 'raw.partitions': '2'; tenant.strategy static:acme names one"
                + " tenant, which one partition holds");
  }

  @Test
  void bootstrapServersIsRequired() {
    assertThatThrownBy(() -> RouterConfig.fromMap(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid router config 'bootstrap.servers': not set; it is required");
  }

  @Test
  void readsPerCollectionRules() {
    RouterConfig config =
        RouterConfig.fromMap(
            Map.of(
                "bootstrap.servers", "b:1",
                "tenant.strategy", "database",
                "collections.app.orders.tenant", "field:owner.org",
                "collections.app.orders.type", "field:kind",
                "collections.saas.*.tenant", "collection-prefix:_",
                "collections.app.my.dotted.coll.tenant", "static:acme"));

    assertThat(config.tenantStrategy()).isEqualTo("database");
    assertThat(config.collections())
        .containsExactlyInAnyOrder(
            new CollectionRule("app", "orders", "field:owner.org", "field:kind"),
            new CollectionRule("saas", "*", "collection-prefix:_", null),
            new CollectionRule("app", "my.dotted.coll", "static:acme", null));
  }

  @Test
  void tenantStrategyDefaultsToTheTenantField() {
    assertThat(
            RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", "tenant.field", "org"))
                .tenantStrategy())
        .isEqualTo("field:org");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '#',
      textBlock =
          """
          tenant.strategy                 # feild:x       # Invalid router config 'tenant.strategy': 'feild:x'; expected field:<path>, database, collection-prefix:<separator> or static:<tenant>
          collections.app.orders.tenant   # databse       # Invalid router config 'collections.app.orders.tenant': 'databse'; expected field:<path>, database, collection-prefix:<separator> or static:<tenant>
          collections.app.orders.tenant   # static:       # Invalid router config 'collections.app.orders.tenant': 'static:'; static needs a tenant, e.g. static:acme
          collections.app.orders.tenant   # field:a..b    # Invalid router config 'collections.app.orders.tenant': 'field:a..b'; Invalid tenant field path 'a..b'
          collections.app.orders.type     # from:kind     # Invalid router config 'collections.app.orders.type': 'from:kind'; expected default, name:<base> or field:<path>
          collections.app.orders.tenantId # x             # Invalid router config 'collections.app.orders.tenantId': 'x'; expected a key of the form collections.<db>.<collection>.<tenant|type> (<db> or <collection> may be *)
          collections.app.tenant          # database      # Invalid router config 'collections.app.tenant': 'database'; expected a key of the form collections.<db>.<collection>.<tenant|type> (<db> or <collection> may be *)
          """)
  void badCollectionRulesAreNamed(String key, String value, String message) {
    assertThatThrownBy(() -> RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", key, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void tenantStrategyAndTenantFieldTogetherAreRejected() {
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of(
                        "bootstrap.servers", "b:1",
                        "tenant.strategy", "database",
                        "tenant.field", "org")))
        .hasMessage(
            "Invalid router config 'tenant.strategy': 'database'; tenant.field is set too; set"
                + " only tenant.strategy (e.g. field:org)");
  }

  @Test
  void ingestAndTypeTopicKeys() {
    RouterConfig config =
        RouterConfig.fromMap(
            Map.of(
                "bootstrap.servers", "b:1",
                "max.record.bytes", "2048",
                "ingest.topic", "",
                "type.topics.enabled", "true",
                "type.topics.prefix", "t."));

    assertThat(config.maxRecordBytes()).isEqualTo(2048);
    assertThat(config.ingestTopic()).isEmpty();
    assertThat(config.typeTopicsEnabled()).isTrue();
    assertThat(config.typeTopicsPrefix()).isEqualTo("t.");
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of("bootstrap.servers", "b:1", "type.topics.enabled", "yes")))
        .hasMessage("Invalid router config 'type.topics.enabled': 'yes'; expected true or false");
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of("bootstrap.servers", "b:1", "raw.topic.pattern", "changecast\\..*")))
        .hasMessageContaining("it matches the output topic");
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of("bootstrap.servers", "b:1", "raw.topic.pattern", "changecast\\.i.*")))
        .hasMessage(
            "Invalid router config 'raw.topic.pattern': 'changecast\\.i.*'; it matches the ingest"
                + " topic 'changecast.ingest'; set one of them differently");
  }

  @Test
  void yamlFileEqualsTheEquivalentPropertiesFile() throws Exception {
    Path properties = dir.resolve("router.properties");
    Files.writeString(
        properties,
        """
        bootstrap.servers=b:1
        application.id=router-yaml
        state.dir=%s
        tenant.strategy=field:owner.org
        commit.interval.ms=20
        type.topics.enabled=true
        metrics.tenant-lag.max-tenants=5
        collections.app.orders.tenant=database
        collections.app.orders.type=field:kind
        collections.saas.*.tenant=collection-prefix:_
        streams.num.stream.threads=2
        """
            .formatted(dir));
    Path yaml = dir.resolve("router.yaml");
    Files.writeString(
        yaml,
        """
        bootstrap.servers: b:1
        application:
          id: router-yaml
        state.dir: %s
        tenant:
          strategy: field:owner.org
        commit.interval.ms: 20
        type.topics.enabled: true
        metrics:
          tenant-lag:
            max-tenants: 5
        collections:
          app:
            orders: {tenant: database, type: "field:kind"}
          saas:
            '*':
              tenant: collection-prefix:_
        streams:
          num.stream.threads: 2
        """
            .formatted(dir));

    RouterConfig fromYaml = RouterConfig.load(Optional.of(yaml), Map.of());

    assertThat(fromYaml).isEqualTo(RouterConfig.load(Optional.of(properties), Map.of()));
    assertThat(fromYaml.tenantLagMaxTenants()).isEqualTo(5);
    assertThat(fromYaml.collections()).hasSize(2);
    assertThat(fromYaml.streamsProperties()).isEqualTo(Map.of("num.stream.threads", "2"));
  }

  @Test
  void environmentOverridesTheYamlFile() throws Exception {
    Path yaml = dir.resolve("router.yml");
    Files.writeString(yaml, "bootstrap.servers: file:9092\ncommit.interval.ms: 20\n");

    RouterConfig config =
        RouterConfig.load(
            Optional.of(yaml),
            Map.of(
                "CHANGECAST_ROUTER_COMMIT_INTERVAL_MS", "25",
                "CHANGECAST_ROUTER_METRICS_TENANT_LAG_MAX_TENANTS", "7"));

    assertThat(config.bootstrapServers()).isEqualTo("file:9092");
    assertThat(config.commitIntervalMs()).isEqualTo(25);
    assertThat(config.tenantLagMaxTenants()).isEqualTo(7);
  }

  @Test
  void nestedUnknownYamlKeyIsNamedDotted() throws Exception {
    Path yaml = dir.resolve("router.yaml");
    Files.writeString(yaml, "bootstrap.servers: b:1\ntenant:\n  feild: org\n");

    assertThatThrownBy(() -> RouterConfig.load(Optional.of(yaml), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Unknown router config key 'tenant.feild' (file " + yaml + "); known keys:");
  }

  @Test
  void yamlListIsRejectedNamingTheKey() throws Exception {
    Path yaml = dir.resolve("router.yaml");
    Files.writeString(yaml, "bootstrap.servers:\n  - b:1\n  - b:2\napplication.id: a\n");

    assertThatThrownBy(() -> RouterConfig.load(Optional.of(yaml), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid router config 'bootstrap.servers': '[\"b:1\",\"b:2\"]' (file "
                + yaml
                + "); expected a single value (a string, number or boolean)");
  }

  @Test
  void malformedYamlNamesTheFile() throws Exception {
    Path yaml = dir.resolve("broken.yaml");
    Files.writeString(yaml, "bootstrap.servers: b:1\ntenant: {field: org\n");

    assertThatThrownBy(() -> RouterConfig.load(Optional.of(yaml), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot parse router config file " + yaml + " as YAML: ");
  }

  @Test
  void yamlKeyGivenTwiceIsRejected() throws Exception {
    Path yaml = dir.resolve("router.yaml");
    Files.writeString(yaml, "bootstrap.servers: b:1\ntenant.field: a\ntenant:\n  field: b\n");

    assertThatThrownBy(() -> RouterConfig.load(Optional.of(yaml), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid router config 'tenant.field': 'b' (file "
                + yaml
                + "); it is set twice in this file");
  }

  @Test
  void tenantLagLimitIsValidated() {
    assertThat(RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1")).tenantLagMaxTenants())
        .isEqualTo(1000);
    assertThatThrownBy(
            () ->
                RouterConfig.fromMap(
                    Map.of("bootstrap.servers", "b:1", "metrics.tenant-lag.max-tenants", "-1")))
        .hasMessage(
            "Invalid router config 'metrics.tenant-lag.max-tenants': '-1'; expected a number >= 0");
  }

  @Test
  void aBadValueNamesWhereItCameFrom() throws Exception {
    Path file = dir.resolve("router.properties");
    Files.writeString(file, "bootstrap.servers=b:1\nevents.partitions=many\n");

    assertThatThrownBy(() -> RouterConfig.load(Optional.of(file), Map.of()))
        .hasMessage(
            "Invalid router config 'events.partitions': 'many' (file "
                + file
                + "); expected a whole number (32-bit)");
    assertThatThrownBy(
            () ->
                RouterConfig.load(
                    Optional.of(file),
                    Map.of(
                        "CHANGECAST_ROUTER_EVENTS_PARTITIONS", "2",
                        "CHANGECAST_ROUTER_DLQ_TOPIC", "changecast.events")))
        .hasMessage(
            "Invalid router config 'dlq.topic': 'changecast.events' (env"
                + " CHANGECAST_ROUTER_DLQ_TOPIC); it must differ from events.topic");
  }

  @Test
  void aBlankValueIsTheEmptyStringNotTheDefault() {
    assertThat(
            RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", "ingest.topic", " "))
                .ingestTopic())
        .isEmpty();
    assertThatThrownBy(
            () -> RouterConfig.fromMap(Map.of("bootstrap.servers", "b:1", "dedupe.window", "")))
        .hasMessage("Invalid router config 'dedupe.window': ''; expected a whole number");
  }

  @Test
  void readmeTableIsTheGeneratedOne() {
    Path readme = Path.of("..", "README.md");
    String generated = ConfigTable.markdown(RouterConfig.DEFINITION, key -> true);
    assertThat(ConfigTable.synced(readme, "router", generated))
        .as("README.md's router table; rewrite it with -D%s=true", ConfigTable.UPDATE_PROPERTY)
        .isEqualTo(generated);
  }

  @Test
  void readmeYamlExampleIsValid() throws Exception {
    Path yaml = dir.resolve("router.yaml");
    Files.writeString(
        yaml,
        """
        bootstrap.servers: kafka:9092
        tenant:
          strategy: field:tenantId
        commit.interval.ms: 20
        collections:
          billing:
            '*': {tenant: database}
          app:
            outbox: {tenant: "static:platform", type: "field:eventType"}
        metrics:
          port: 9404
          tenant-lag:
            max-tenants: 5000
        streams:
          num.stream.threads: 2
        """);

    RouterConfig config = RouterConfig.load(Optional.of(yaml), Map.of());

    assertThat(config.collections())
        .containsExactlyInAnyOrder(
            new CollectionRule("billing", "*", "database", null),
            new CollectionRule("app", "outbox", "static:platform", "field:eventType"));
    assertThat(config.metricsPort()).isEqualTo(9404);
    assertThat(config.tenantLagMaxTenants()).isEqualTo(5000);
  }
}
