package io.changecast.router;

import io.changecast.router.config.RouterConfig;
import io.changecast.router.config.Sequencing;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.Pending;
import io.changecast.router.internal.parse.RawTopicFormats;
import io.changecast.router.internal.parse.Step;
import io.changecast.router.internal.process.DeadLetterProcessor;
import io.changecast.router.internal.process.DedupeProcessor;
import io.changecast.router.internal.process.IngestProcessor;
import io.changecast.router.internal.process.ParseProcessor;
import io.changecast.router.internal.process.SequenceProcessor;
import io.changecast.router.internal.process.TenantPartitions;
import io.changecast.router.internal.process.TenantProcessor;
import io.changecast.router.internal.serde.RouterTopics;
import io.changecast.router.internal.serde.TypeTopics;
import io.changecast.router.internal.tenant.CollectionRules;
import io.changecast.router.metrics.RouterMetrics;
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.Stores;

/**
 * The routing topology, as a pure builder (no lifecycle):
 *
 * <pre>
 * raw topics (pattern) ─ parse ─┬─ parse-invalid ───────────────────────────┐
 *                               └─ parse-ok ─ dedupe [dedupe-tokens] ─ resolve-tenant ─┬─ tenant-unresolved ─ invalid ─ dead-letter ─► dlq
 *                                   [document-tenants]        └─ tenant-resolved ─ key-by-tenant
 *   ─ (by-tenant sequencing only: repartition by-tenant) ─ assign-sequence [tenant-sequences] ─► events
 * </pre>
 *
 * <p>Under {@link Sequencing#DIRECT} the ingest topic joins the raw topics' pattern and its records
 * go from {@code parse-ingested} straight to {@code assign-sequence}: one subtopology, with one
 * task per partition of the raw topics ({@code raw.partitions}; tenant-partitioned when above 1,
 * see {@link io.changecast.contract.RawPartitions}), so N instances share N tasks. Under {@link
 * Sequencing#BY_TENANT} it has a subtopology of its own with its own repartition.
 *
 * <p>Every processor, branch, store and internal topic is named, so names stay stable across
 * releases.
 */
public final class RouterTopology {

  /** Store of the tenant last seen for each document (key: db, collection, documentKey). */
  public static final String DOCUMENT_TENANTS_STORE = "document-tenants";

  /**
   * Store of each source partition's high-water mark (resume token) and of the other tokens
   * recently seen per source partition (bounded buckets). Record-cached: the mark is one key per
   * partition.
   */
  public static final String DEDUPE_STORE = "dedupe-tokens";

  /**
   * Store of the tenants seen per namespace (key: db, collection, tenant), for resets (history
   * lost, drop, rename, dropDatabase, invalidate), and of the last namespace change.
   */
  public static final String NAMESPACE_TENANTS_STORE = "namespace-tenants";

  /** Store of the last id assigned per tenant. Record-cached: one key per tenant. */
  public static final String TENANT_SEQUENCES_STORE = "tenant-sequences";

  public static final String SOURCE = "raw-source";
  public static final String PARSE = "parse";
  public static final String PARSE_SPLIT = "parse-";
  public static final String PARSE_INVALID = PARSE_SPLIT + "invalid";
  public static final String PARSE_OK = PARSE_SPLIT + "ok";
  public static final String PARSE_INGESTED = PARSE_SPLIT + "ingested";
  public static final String DEDUPE = "dedupe";
  public static final String RESOLVE_TENANT = "resolve-tenant";
  public static final String TENANT_SPLIT = "tenant-";
  public static final String TENANT_UNRESOLVED = TENANT_SPLIT + "unresolved";
  public static final String TENANT_RESOLVED = TENANT_SPLIT + "resolved";
  public static final String INVALID = "invalid";
  public static final String DEAD_LETTER = "dead-letter";
  public static final String DLQ_SINK = "dlq-sink";
  public static final String KEY_BY_TENANT = "key-by-tenant";
  public static final String ASSIGN_SEQUENCE = "assign-sequence";
  public static final String EVENTS_SINK = "events-sink";
  public static final String TYPE_TOPICS_SINK = "type-topics-sink";
  public static final String COUNT_EVENTS = "count-events";
  public static final String INGEST_SOURCE = "ingest-source";
  public static final String INGEST = "ingest";
  public static final String INGEST_SPLIT = "ingest-";
  public static final String INGEST_INVALID = INGEST_SPLIT + "invalid";
  public static final String INGEST_OK = INGEST_SPLIT + "ok";
  public static final String INGEST_DEAD_LETTER = "ingest-dead-letter";
  public static final String INGEST_DLQ_SINK = "ingest-dlq-sink";
  public static final String INGEST_KEY_BY_TENANT = "ingest-key-by-tenant";

  private RouterTopology() {}

  /** The topology for {@code config}, with wall-clock {@code routedAt}. */
  public static Topology build(RouterConfig config, RouterMetrics metrics) {
    return build(config, metrics, Clock.systemUTC());
  }

  /** The topology with an explicit clock (for {@code routedAt}). */
  static Topology build(RouterConfig config, RouterMetrics metrics, Clock clock) {
    RouterTopics topics = RouterTopics.from(config);
    CollectionRules rules = new CollectionRules(config.tenantStrategy(), config.collections());
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(DOCUMENT_TENANTS_STORE),
                Serdes.String(),
                Serdes.String())
            .withCachingDisabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(NAMESPACE_TENANTS_STORE),
                Serdes.String(),
                Serdes.String())
            .withCachingDisabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(DEDUPE_STORE), Serdes.String(), Serdes.String())
            .withCachingEnabled());
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TENANT_SEQUENCES_STORE),
                Serdes.String(),
                Serdes.Long())
            .withCachingEnabled());

    boolean direct = config.sequencing() == Sequencing.DIRECT;
    TenantPartitions partitions = new TenantPartitions(config.rawPartitions());
    boolean ingest = !config.ingestTopic().isEmpty();
    RouterTopics.RawTopics sources = direct ? topics.directSources() : topics.raw();
    BranchedKStream<String, Step> parseSplit =
        builder.stream(sources.pattern(), sources.consumed(SOURCE))
            .processValues(
                () ->
                    new ParseProcessor(
                        metrics,
                        config.maxRecordBytes(),
                        RawTopicFormats.from(config),
                        direct ? config.ingestTopic() : "",
                        partitions),
                Named.as(PARSE))
            .split(Named.as(PARSE_SPLIT))
            .branch((key, step) -> step instanceof Step.Rejected, Branched.as("invalid"));
    if (direct && ingest) { // ingested events arrive resolved, with their tenant
      parseSplit =
          parseSplit.branch((key, step) -> step instanceof Step.Resolved, Branched.as("ingested"));
    }
    Map<String, KStream<String, Step>> parsed = parseSplit.defaultBranch(Branched.as("ok"));

    Map<String, KStream<String, Step>> resolved =
        parsed
            .get(PARSE_OK)
            .process(
                () -> new DedupeProcessor(DEDUPE_STORE, config.dedupeWindow(), metrics),
                Named.as(DEDUPE),
                DEDUPE_STORE)
            .processValues(
                () ->
                    new TenantProcessor(
                        DOCUMENT_TENANTS_STORE,
                        NAMESPACE_TENANTS_STORE,
                        rules,
                        metrics,
                        partitions),
                Named.as(RESOLVE_TENANT),
                DOCUMENT_TENANTS_STORE,
                NAMESPACE_TENANTS_STORE)
            .split(Named.as(TENANT_SPLIT))
            .branch((key, step) -> step instanceof Step.Rejected, Branched.as("unresolved"))
            .defaultBranch(Branched.as("resolved"));

    deadLetters(
        parsed.get(PARSE_INVALID).merge(resolved.get(TENANT_UNRESOLVED), Named.as(INVALID)),
        DEAD_LETTER,
        DLQ_SINK,
        topics,
        metrics);
    KStream<String, Pending> byTenant = keyByTenant(resolved.get(TENANT_RESOLVED), KEY_BY_TENANT);
    if (direct) {
      if (ingest) {
        byTenant =
            byTenant.merge(
                keyByTenant(parsed.get(PARSE_INGESTED), INGEST_KEY_BY_TENANT),
                Named.as(INGEST_OK + "-merge"));
      }
    } else {
      byTenant = byTenant.repartition(topics.byTenantRepartitioned());
      if (ingest) {
        byTenant =
            byTenant.merge(
                ingestedByTenant(builder, config, topics, metrics), Named.as(INGEST_OK + "-merge"));
      }
    }

    KStream<String, Envelope> envelopes =
        byTenant.process(
            () ->
                new SequenceProcessor(
                    TENANT_SEQUENCES_STORE,
                    clock,
                    metrics,
                    direct ? config.rawPartitions() : 0,
                    config.commitLiveIntervalMs()),
            Named.as(ASSIGN_SEQUENCE),
            TENANT_SEQUENCES_STORE);
    envelopes
        .peek((tenant, envelope) -> metrics.out(topics.events().name()), Named.as(COUNT_EVENTS))
        .to(topics.events().name(), topics.events().produced(EVENTS_SINK));
    if (config.typeTopicsEnabled()) {
      envelopes.to(
          new TypeTopics(config.typeTopicsPrefix(), metrics),
          topics.events().produced(TYPE_TOPICS_SINK));
    }

    return builder.build();
  }

  /**
   * Under by-tenant sequencing, ingested events get a subtopology of their own, joining after the
   * repartition: were the ingest topic a source of the raw topics' subtopology, a raw topic created
   * while the router runs (a collection's first change) would be added to a running task, which
   * Kafka Streams cannot do (TopologyException "unknown to the topology", a replaced thread, a
   * stalled group). Direct sequencing reads both through one pattern instead.
   */
  private static KStream<String, Pending> ingestedByTenant(
      StreamsBuilder builder, RouterConfig config, RouterTopics topics, RouterMetrics metrics) {
    Map<String, KStream<String, Step>> ingested =
        builder.stream(topics.ingest().name(), topics.ingest().consumed(INGEST_SOURCE))
            .processValues(
                () -> new IngestProcessor(metrics, config.maxRecordBytes()), Named.as(INGEST))
            .split(Named.as(INGEST_SPLIT))
            .branch((key, step) -> step instanceof Step.Rejected, Branched.as("invalid"))
            .defaultBranch(Branched.as("ok"));
    deadLetters(ingested.get(INGEST_INVALID), INGEST_DEAD_LETTER, INGEST_DLQ_SINK, topics, metrics);
    return keyByTenant(ingested.get(INGEST_OK), INGEST_KEY_BY_TENANT)
        .repartition(topics.ingestByTenantRepartitioned());
  }

  private static KStream<String, Pending> keyByTenant(KStream<String, Step> resolved, String name) {
    return resolved.map(
        (key, step) -> {
          Step.Resolved r = (Step.Resolved) step;
          return KeyValue.pair(r.tenant(), r.pending());
        },
        Named.as(name));
  }

  private static void deadLetters(
      KStream<String, Step> rejected,
      String name,
      String sinkName,
      RouterTopics topics,
      RouterMetrics metrics) {
    rejected
        .processValues(() -> new DeadLetterProcessor(metrics, topics.dlq().name()), Named.as(name))
        .to(topics.dlq().name(), topics.dlq().produced(sinkName));
  }
}
