package io.changecast.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.changecast.contract.TenantId;
import io.changecast.router.ChangeEvent;
import io.changecast.router.Envelope;
import io.changecast.router.RouterMetrics;
import io.changecast.router.TenantResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the tenant of each {@link Step.Parsed} record: from the event itself (the namespace's
 * {@link TenantResolver}), or, when the event carries no document (deletes, updates without
 * post-image), from the tenant remembered for the same document. Runs before the repartition, where
 * all events of one document share a partition, so the store sees them in order. A delete forgets
 * the document. Also remembers which tenants each namespace has ({@link NamespaceTenants}), so that
 * a {@link Step.HistoryLost} control record and a {@link Step.NamespaceChanged} (drop, rename,
 * dropDatabase, invalidate) become one reset per affected tenant. Emits {@link Step.Resolved} or
 * {@link Step.Rejected}; heartbeats are counted and end here.
 */
public final class TenantProcessor implements FixedKeyProcessor<String, Step, Step> {

  /** The reason of resets caused by a history-lost control record. */
  public static final String SOURCE_HISTORY_LOST = "source-history-lost";

  private static final Logger LOG = LoggerFactory.getLogger(TenantProcessor.class);

  private final String documentStoreName;
  private final String namespaceStoreName;
  private final CollectionRules rules;
  private final RouterMetrics metrics;
  private FixedKeyProcessorContext<String, Step> context;
  private KeyValueStore<String, String> documentTenants;
  private NamespaceTenants namespaceTenants;

  public TenantProcessor(
      String documentStoreName,
      String namespaceStoreName,
      CollectionRules rules,
      RouterMetrics metrics) {
    this.documentStoreName = documentStoreName;
    this.namespaceStoreName = namespaceStoreName;
    this.rules = rules;
    this.metrics = metrics;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Step> context) {
    this.context = context;
    this.documentTenants = context.getStateStore(documentStoreName);
    this.namespaceTenants = new NamespaceTenants(context.getStateStore(namespaceStoreName));
  }

  @Override
  public void process(FixedKeyRecord<String, Step> record) {
    Step step = record.value();
    if (step instanceof Step.Parsed parsed) {
      resolve(record, parsed);
    } else if (step instanceof Step.HistoryLost lost) {
      reset(record, lost);
    } else if (step instanceof Step.NamespaceChanged changed) {
      namespaceChanged(record, changed.change());
    } else if (step instanceof Step.Heartbeat heartbeat) {
      metrics.heartbeat(heartbeat.clusterTime());
    } else if (!(step instanceof Step.Skipped)) {
      context.forward(record); // already resolved or rejected: pass on
    }
  }

  private void resolve(FixedKeyRecord<String, Step> record, Step.Parsed parsed) {
    ChangeEvent event = parsed.event();
    CollectionRules.Resolved namespace = rules.forEvent(event);
    TenantResolver resolver = namespace.tenant();
    String documentKey = DocumentKeys.of(event);
    Optional<String> direct = resolver.resolve(event);
    String tenant = direct.orElse(null);
    if (tenant == null && event.document() == null) {
      tenant = documentTenants.get(documentKey);
    }
    if (tenant == null) {
      context.forward(record.withValue(unresolved(parsed, resolver)));
      return;
    }
    Optional<String> refused = TenantId.check(tenant);
    if (refused.isPresent()) { // before any id is spent: the edge could never serve it
      context.forward(
          record.withValue(
              new Step.Rejected(
                  parsed.raw(),
                  Stage.RESOLVE_TENANT,
                  Reason.TENANT_INVALID,
                  refused.get() + " (tenant from " + resolver + ")")));
      return;
    }
    if (event.operation() == ChangeEvent.Operation.DELETE) {
      documentTenants.delete(documentKey);
    } else if (direct.isPresent() && !Objects.equals(documentTenants.get(documentKey), tenant)) {
      documentTenants.put(documentKey, tenant);
    }
    namespaceTenants.add(event.database(), event.collection(), tenant);
    context.forward(
        record.withValue(
            new Step.Resolved(tenant, new Pending.Change(event, namespace.type(event)))));
  }

  private void reset(FixedKeyRecord<String, Step> record, Step.HistoryLost lost) {
    List<NamespaceChange.Namespace> namespaces = new ArrayList<>();
    for (JsonNode ns : lost.namespaces()) {
      namespaces.add(
          new NamespaceChange.Namespace(
              ns.get("db").asText(), ns.has("coll") ? ns.get("coll").asText() : null));
    }
    SortedSet<String> tenants = namespaceTenants.of(namespaces);
    LOG.warn(
        "Source history lost for {}: resetting {} tenant(s) {}",
        lost.namespaces(),
        tenants.size(),
        tenants.size() <= 20 ? tenants : tenants.size() + " tenants");
    for (String tenant : tenants) {
      forwardReset(record, tenant, SOURCE_HISTORY_LOST, lost.namespaces(), lost.clusterTime());
    }
  }

  /**
   * A drop, rename or dropDatabase resets the tenants that had events in the namespace (a rename:
   * in its source or target) and updates the stores: the documents of a dropped namespace are
   * forgotten, those of a renamed one move to the target. An invalidate resets the tenants of the
   * change that caused it (the last one, at the same cluster time), or, when that is unknown, every
   * tenant, for each of its databases.
   */
  private void namespaceChanged(FixedKeyRecord<String, Step> record, NamespaceChange change) {
    String reason = change.kind().reason();
    if (change.kind() == NamespaceChange.Kind.INVALIDATE) {
      List<NamespaceChange.Namespace> cause = namespaceTenants.lastAt(change.clusterTime());
      if (!cause.isEmpty()) {
        SortedSet<String> tenants = namespaceTenants.of(cause);
        log(reason, cause, tenants);
        JsonNode namespaces =
            new NamespaceChange(change.kind(), cause, null, null).namespacesJson();
        tenants.forEach(t -> forwardReset(record, t, reason, namespaces, change.clusterTime()));
        return;
      }
      SortedMap<String, SortedSet<String>> databases = namespaceTenants.databasesByTenant();
      LOG.warn(
          "The source's change stream was invalidated, by no drop or rename seen at its cluster"
              + " time {}: resetting every tenant ({})",
          change.clusterTime(),
          databases.size());
      databases.forEach(
          (tenant, dbs) -> {
            ArrayNode namespaces = Json.mapper().createArrayNode();
            dbs.forEach(db -> namespaces.addObject().put("db", db));
            forwardReset(record, tenant, reason, namespaces, change.clusterTime());
          });
      return;
    }
    SortedSet<String> tenants = namespaceTenants.of(change.namespaces());
    log(reason, change.namespaces(), tenants);
    NamespaceChange.Namespace source = change.namespaces().get(0);
    if (change.kind() == NamespaceChange.Kind.RENAME) {
      NamespaceChange.Namespace target = change.namespaces().get(1);
      namespaceTenants.copy(source, target);
      moveDocuments(source, target);
    } else {
      deleteDocuments(DocumentKeys.prefix(source.db(), source.coll()));
    }
    namespaceTenants.rememberLast(change);
    JsonNode namespaces = change.namespacesJson();
    tenants.forEach(t -> forwardReset(record, t, reason, namespaces, change.clusterTime()));
  }

  /** The target's earlier documents are gone (a rename replaces it); the source's move there. */
  private void moveDocuments(NamespaceChange.Namespace from, NamespaceChange.Namespace to) {
    String fromPrefix = DocumentKeys.prefix(from.db(), from.coll());
    String toPrefix = DocumentKeys.prefix(to.db(), to.coll());
    deleteDocuments(toPrefix);
    List<KeyValue<String, String>> moved = new ArrayList<>();
    try (KeyValueIterator<String, String> it =
        documentTenants.prefixScan(fromPrefix, new StringSerializer())) {
      it.forEachRemaining(
          kv ->
              moved.add(KeyValue.pair(toPrefix + kv.key.substring(fromPrefix.length()), kv.value)));
    }
    deleteDocuments(fromPrefix);
    documentTenants.putAll(moved);
  }

  private void deleteDocuments(String prefix) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, String> it =
        documentTenants.prefixScan(prefix, new StringSerializer())) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    keys.forEach(documentTenants::delete);
  }

  private static void log(
      String reason, List<NamespaceChange.Namespace> namespaces, SortedSet<String> tenants) {
    LOG.info(
        "{} {}: resetting {} tenant(s) {}",
        reason,
        namespaces,
        tenants.size(),
        tenants.size() <= 20 ? tenants : "");
  }

  private void forwardReset(
      FixedKeyRecord<String, Step> record,
      String tenant,
      String reason,
      JsonNode namespaces,
      Envelope.ClusterTime clusterTime) {
    context.forward(
        record.withValue(
            new Step.Resolved(tenant, new Pending.Reset(reason, namespaces, clusterTime))));
  }

  private static Step.Rejected unresolved(Step.Parsed parsed, TenantResolver resolver) {
    ChangeEvent event = parsed.event();
    String detail =
        event.document() != null
            ? "the document gives no tenant (" + resolver + ")"
            : "the event has no document and no earlier event of this document named its tenant ("
                + resolver
                + ")";
    return new Step.Rejected(parsed.raw(), Stage.RESOLVE_TENANT, Reason.TENANT_UNRESOLVED, detail);
  }
}
