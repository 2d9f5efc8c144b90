package io.changecast.connector.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.config.internal.ConfigValues;
import io.changecast.connector.config.internal.RawTopicNames;
import io.changecast.connector.transforms.TenantHeader;
import io.changecast.connector.validate.ChangecastConfigValidator;
import io.changecast.connector.validate.internal.SourceChecks;
import io.changecast.connector.validate.internal.TenantKeyTransform;
import io.changecast.contract.DocumentReader;
import io.changecast.contract.HeaderNames;
import io.changecast.contract.RawPartitions;
import io.changecast.contract.TenantId;
import io.changecast.contract.TenantStrategy;
import io.changecast.contract.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * What sample documents would become: the raw topic the source connector writes them to, and the
 * tenant and event type the router gives their insert events.
 *
 * <p>The tenant is resolved by the router's own rule, the shared {@link TenantStrategy} (every
 * strategy), and checked by the shared {@link TenantId} rule: a tenant that breaks it is
 * dead-lettered, as the router does. On tenant-partitioned raw topics the record key is the one the
 * config's own {@link TenantHeader} transform gives the sample's change event. The raw topic is
 * {@code <topic.prefix>.<db>.<collection>} (the official connector's default topic mapper,
 * honouring {@code topic.separator}, {@code topic.suffix} and simple {@code topic.namespace.map}
 * entries); the type is the router's default, {@code <collection>.created} ({@code
 * <collection>.replaced} under {@code publish.full.document.only=true}, where the router reads
 * every document as a {@code replace}), with the collection's tenant prefix cut under {@code
 * collection-prefix}.
 */
public final class DryRun {

  /** The router's default tenant strategy ({@code tenant.field} {@code tenantId}). */
  public static final TenantStrategy DEFAULT_STRATEGY = TenantStrategy.Field.of("tenantId");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One sample's fate. */
  public sealed interface Outcome {
    /**
     * Captured and routed; {@code partition} of {@code partitions} when the raw topics are
     * tenant-partitioned (else 1 partition, partition 0).
     */
    record Routed(
        String namespace, String topic, String tenant, String type, int partition, int partitions)
        implements Outcome {}

    /**
     * Captured, but the router finds no tenant, or one breaking {@link TenantId}: dead-lettered.
     */
    record DeadLettered(String namespace, String topic, String reason) implements Outcome {}

    /** Not captured by the source connector. */
    record NotCaptured(String namespace, String reason) implements Outcome {}

    /** The sample itself is unusable. */
    record Invalid(String reason) implements Outcome {}
  }

  private final ConnectorConfigFile config;
  private final TenantStrategy strategy;

  public DryRun(ConnectorConfigFile config, TenantStrategy strategy) {
    this.config = config;
    this.strategy = strategy;
  }

  /**
   * The strategy named by the CLI options: {@code --tenant-strategy SPEC} (the router's {@code
   * tenant.strategy}), or its shorthands {@code --tenant-field PATH} and {@code --tenant-database};
   * {@link #DEFAULT_STRATEGY} without any.
   *
   * @throws Args.UsageException when more than one is given or the spec is malformed
   */
  public static TenantStrategy strategy(
      Optional<String> spec, Optional<String> field, boolean database) {
    if ((spec.isPresent() ? 1 : 0) + (field.isPresent() ? 1 : 0) + (database ? 1 : 0) > 1) {
      throw new Args.UsageException(
          "--tenant-strategy, --tenant-field and --tenant-database exclude each other");
    }
    try {
      return spec.or(() -> field.map(path -> "field:" + path))
          .or(() -> database ? Optional.of("database") : Optional.empty())
          .map(TenantStrategy::parse)
          .orElse(DEFAULT_STRATEGY);
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("tenant strategy: " + e.getMessage());
    }
  }

  /**
   * Reads samples: a JSON array of {@code {"db", "coll", "document"}} objects or plain documents
   * (of the config's {@code database} and {@code collection}, or {@code defaultCollection}).
   */
  public static List<JsonNode> readSamples(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new Args.UsageException("cannot read samples " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw new Args.UsageException(
          file + ": expected a JSON array of documents or {\"db\", \"coll\", \"document\"}");
    }
    List<JsonNode> samples = new ArrayList<>();
    root.forEach(samples::add);
    return samples;
  }

  /** The fate of one sample. */
  public Outcome evaluate(JsonNode sample, String defaultCollection) {
    Map<String, String> c = config.config();
    boolean wrapped = sample.isObject() && sample.path("document").isObject();
    JsonNode document = wrapped ? sample.get("document") : sample;
    if (!document.isObject()) {
      return new Outcome.Invalid("not a JSON object");
    }
    String db =
        wrapped && sample.path("db").isTextual()
            ? sample.get("db").asText()
            : blank(c.get("database"));
    String coll =
        wrapped && sample.path("coll").isTextual()
            ? sample.get("coll").asText()
            : Optional.ofNullable(blank(c.get("collection"))).orElse(defaultCollection);
    if (db == null) {
      return new Outcome.Invalid(
          "no database: the config watches every database, give {\"db\", \"coll\", \"document\"}");
    }
    if (coll == null) {
      return new Outcome.Invalid(
          "no collection: give {\"db\", \"coll\", \"document\"} or --collection");
    }
    String namespace = db + "." + coll;
    String watchedDb = blank(c.get("database"));
    if (watchedDb != null && !watchedDb.equals(db)) {
      return new Outcome.NotCaptured(
          namespace, "the config watches database \"" + watchedDb + "\"");
    }
    String watchedColl = blank(c.get("collection"));
    if (watchedColl != null && !watchedColl.equals(coll)) {
      return new Outcome.NotCaptured(
          namespace, "the config watches collection \"" + watchedColl + "\"");
    }
    Optional<Boolean> matched = PipelineMatch.matches(c.get("pipeline"), db, coll, document);
    if (matched.isPresent() && !matched.get()) {
      return new Outcome.NotCaptured(namespace, "the pipeline's $match excludes it");
    }
    String topic = topic(db, coll);
    String type = strategy.baseCollection(coll) + (fullDocumentOnly() ? ".replaced" : ".created");
    Optional<String> tenant =
        strategy.resolve(db, coll, JSON.convertValue(document, Object.class), DocumentReader.PLAIN);
    if (tenant.isEmpty()) {
      return new Outcome.DeadLettered(namespace, topic, "no tenant: " + unresolved(coll));
    }
    Optional<String> refused = TenantId.check(tenant.get());
    if (refused.isPresent()) { // the router's check, from the shared contract
      return new Outcome.DeadLettered(namespace, topic, "invalid tenant: " + refused.get());
    }
    int partitions = rawPartitions();
    if (partitions <= 1) {
      return new Outcome.Routed(namespace, topic, tenant.get(), type, 0, 1);
    }
    int expected = RawPartitions.partitionOf(tenant.get(), partitions);
    Optional<String> key =
        TenantKeyTransform.of(c).flatMap(t -> keyOf(t, topic, db, coll, document));
    if (key.isEmpty()) {
      return new Outcome.DeadLettered(
          namespace,
          topic,
          "no tenant key on a raw topic with "
              + partitions
              + " partitions (a TenantHeader$Value transform with key=true names none)");
    }
    int actual = RawPartitions.partitionOf(key.get(), partitions);
    if (actual != expected) {
      return new Outcome.DeadLettered(
          namespace,
          topic,
          "keyed \""
              + key.get()
              + "\" (partition "
              + actual
              + ") but the router's tenant \""
              + tenant.get()
              + "\" belongs to partition "
              + expected
              + " of "
              + partitions);
    }
    return new Outcome.Routed(namespace, topic, tenant.get(), type, expected, partitions);
  }

  /**
   * Why the config's namespace-wide events (drop, rename, dropDatabase, invalidate, history lost)
   * would not reach every router task of its raw topics' partition count, as {@code validate} says
   * it ({@link SourceChecks#namespaceWideEvents}); empty when they would.
   */
  public Optional<ConfigProblem> namespaceWideEvents() {
    String connector = config.config().getOrDefault("connector.class", "").trim();
    boolean changecast = ChangecastConfigValidator.CHANGECAST_SOURCE.equals(connector);
    if (!changecast && !ChangecastConfigValidator.MONGO_SOURCE.equals(connector)) {
      return Optional.empty();
    }
    return SourceChecks.namespaceWideEvents(config.config(), changecast, rawPartitions());
  }

  /** The raw topics' partition count: the config's {@code topic.creation.default.partitions}. */
  private int rawPartitions() {
    try {
      return Integer.parseInt(
          config.config().getOrDefault("topic.creation.default.partitions", "1").trim());
    } catch (NumberFormatException e) {
      return 1; // validate reports it
    }
  }

  /** Why {@link #strategy} names no tenant for a sample of {@code coll}. */
  private String unresolved(String coll) {
    if (strategy instanceof TenantStrategy.Field field) {
      return "field "
          + String.join(".", field.path())
          + " is missing or not a string or whole number";
    }
    if (strategy instanceof TenantStrategy.CollectionPrefix prefix) {
      return "collection \""
          + coll
          + "\" does not start with a tenant and \""
          + prefix.separator()
          + "\" ("
          + strategy.spec()
          + ")";
    }
    return "the namespace names none (" + strategy.spec() + ")";
  }

  /**
   * The key the config's {@link TenantHeader} transform {@code transform} gives the change event of
   * an insert of {@code document} into {@code db.coll}: the transform itself, configured as in the
   * config, run on that record. Empty when it names no tenant.
   */
  private Optional<String> keyOf(
      TenantKeyTransform transform, String topic, String db, String coll, JsonNode document) {
    Map<String, String> settings = transform.settings();
    var event = JSON.createObjectNode().put("operationType", "insert");
    event.putObject("ns").put("db", db).put("coll", coll);
    if (document.has("_id")) {
      event.putObject("documentKey").set("_id", document.get("_id"));
    }
    event.set("fullDocument", document);
    String documentKey = event.path("documentKey").toString();
    SourceRecord record =
        new SourceRecord(
            null,
            null,
            topic,
            null,
            Schema.STRING_SCHEMA,
            documentKey,
            Schema.STRING_SCHEMA,
            event.toString());
    try (TenantHeader.Value<SourceRecord> smt = new TenantHeader.Value<>()) {
      smt.configure(settings);
      SourceRecord keyed = smt.apply(record);
      String header = settings.getOrDefault(TenantHeader.HEADER_CONFIG, HeaderNames.TENANT).trim();
      return keyed.headers().lastWithName(header) == null
          ? Optional.empty()
          : Optional.of((String) keyed.key());
    } catch (DataException e) { // on.missing=fail
      return Optional.empty();
    }
  }

  /**
   * {@code publish.full.document.only=true}: the router reads the raw topics as bare documents
   * ({@code replace} events) and tombstones ({@code delete}s), not change events.
   */
  public boolean fullDocumentOnly() {
    return ConfigValues.isTrue(config.config().get("publish.full.document.only"));
  }

  /** Human-readable lines for {@code outcomes}, then a summary line. */
  public static List<String> describe(List<Outcome> outcomes) {
    List<String> lines = new ArrayList<>();
    TreeSet<String> tenants = new TreeSet<>();
    int routed = 0;
    int dead = 0;
    int skipped = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      String prefix = "sample " + (i + 1) + ": ";
      Outcome outcome = outcomes.get(i);
      if (outcome instanceof Outcome.Routed r) {
        routed++;
        tenants.add(r.tenant());
        lines.add(
            prefix
                + r.namespace()
                + " -> topic "
                + r.topic()
                + ", tenant \""
                + r.tenant()
                + "\", type "
                + r.type()
                + (r.partitions() > 1
                    ? ", partition " + r.partition() + " of " + r.partitions()
                    : ""));
      } else if (outcome instanceof Outcome.DeadLettered d) {
        dead++;
        lines.add(
            prefix
                + d.namespace()
                + " -> topic "
                + d.topic()
                + ", "
                + d.reason()
                + ": the router dead-letters it to "
                + Topics.DLQ);
      } else if (outcome instanceof Outcome.NotCaptured n) {
        skipped++;
        lines.add(prefix + n.namespace() + " -> not captured (" + n.reason() + ")");
      } else if (outcome instanceof Outcome.Invalid v) {
        skipped++;
        lines.add(prefix + "invalid sample (" + v.reason() + ")");
      }
    }
    lines.add(
        outcomes.size()
            + " samples: "
            + routed
            + " routed to tenants "
            + tenants
            + ", "
            + dead
            + " dead-lettered, "
            + skipped
            + " not captured");
    return lines;
  }

  private String topic(String db, String coll) {
    Map<String, String> c = config.config();
    String separator = c.getOrDefault("topic.separator", ".");
    String prefix = c.getOrDefault("topic.prefix", "");
    String suffix = c.getOrDefault("topic.suffix", "");
    JsonNode map = parseObject(c.get("topic.namespace.map"));
    if (map != null && map.path(db + "." + coll).isTextual()) {
      return map.get(db + "." + coll).asText();
    }
    if (map != null && map.path(db).isTextual()) {
      return map.get(db).asText() + separator + coll;
    }
    return RawTopicNames.of(prefix, separator, suffix, db, coll);
  }

  private static JsonNode parseObject(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(json);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String blank(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
