package io.changecast.router.internal.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.contract.ControlTypes;
import io.changecast.contract.TenantId;
import io.changecast.contract.TenantStrategy;
import io.changecast.router.event.ChangeEvent;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.DocumentKeys;
import io.changecast.router.internal.parse.NamespaceChange;
import io.changecast.router.internal.parse.Pending;
import io.changecast.router.internal.parse.Stage;
import io.changecast.router.internal.parse.Step;
import io.changecast.router.internal.tenant.CollectionRules;
import io.changecast.router.metrics.Reason;
import io.changecast.router.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the tenant of each {@link Step.Parsed} record: from the event itself (the namespace's
 * {@link TenantStrategy}), or, when the event carries no document (deletes, updates without
 * post-image), from the tenant remembered for the same document. Runs before the repartition, where
 * all events of one document share a partition, so the store sees them in order. A delete forgets
 * the document. The {@code document-tenants} store is written only where it can be read later:
 * under a strategy that reads the document ({@code field:}), when a document's tenant (from its
 * post-image) is first seen or changes; never when the tenant comes from the namespace (a namespace
 * strategy always names it) or from a pre-image; a delete removes an entry only when there is one.
 * Also remembers which tenants each namespace has ({@link NamespaceTenants}), so that a {@link
 * Step.HistoryLost} control record and a {@link Step.NamespaceChanged} (drop, rename, dropDatabase,
 * invalidate) become one reset per affected tenant. On tenant-partitioned raw topics a change found
 * in another partition than its tenant's is rejected ({@link TenantPartitions}). Emits {@link
 * Step.Resolved} or {@link Step.Rejected}; heartbeats are counted and end here.
 */
public final class TenantProcessor implements FixedKeyProcessor<String, Step, Step> {

  private static final Logger LOG = LoggerFactory.getLogger(TenantProcessor.class);

  private final String documentStoreName;
  private final String namespaceStoreName;
  private final CollectionRules rules;
  private final RouterMetrics metrics;
  private final TenantPartitions partitions;
  private FixedKeyProcessorContext<String, Step> context;
  private KeyValueStore<String, String> documentTenants;
  private NamespaceTenants namespaceTenants;
  private NamespaceChanges namespaceChanges;

  public TenantProcessor(
      String documentStoreName,
      String namespaceStoreName,
      CollectionRules rules,
      RouterMetrics metrics,
      TenantPartitions partitions) {
    this.documentStoreName = documentStoreName;
    this.namespaceStoreName = namespaceStoreName;
    this.rules = rules;
    this.metrics = metrics;
    this.partitions = partitions;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Step> context) {
    this.context = context;
    this.documentTenants = context.getStateStore(documentStoreName);
    this.namespaceTenants = new NamespaceTenants(context.getStateStore(namespaceStoreName));
    this.namespaceChanges = new NamespaceChanges(documentTenants, namespaceTenants);
  }

  @Override
  public void process(FixedKeyRecord<String, Step> record) {
    Step step = record.value();
    if (step instanceof Step.Parsed parsed) {
      resolve(record, parsed);
    } else if (step instanceof Step.HistoryLost lost) {
      reset(record, lost);
    } else if (step instanceof Step.NamespaceChanged changed) {
      namespaceChanges
          .apply(changed.change())
          .forEach(
              (tenant, reset) ->
                  context.forward(record.withValue(new Step.Resolved(tenant, reset))));
    } else if (step instanceof Step.Heartbeat heartbeat) {
      metrics.heartbeat(heartbeat.clusterTime());
    } else if (!(step instanceof Step.Skipped)) {
      context.forward(record); // already resolved or rejected: pass on
    }
  }

  private void resolve(FixedKeyRecord<String, Step> record, Step.Parsed parsed) {
    ChangeEvent event = parsed.event();
    CollectionRules.Resolved namespace = rules.forEvent(event);
    TenantStrategy strategy = namespace.tenant();
    Optional<String> direct = event.tenant(strategy);
    String tenant = direct.orElse(null);
    String remembered = null;
    String documentKey = null; // only where the store is read or written
    if (tenant == null && event.document() == null) {
      documentKey = DocumentKeys.of(event);
      remembered = documentTenants.get(documentKey);
      tenant = remembered;
    }
    if (tenant == null) {
      context.forward(record.withValue(unresolved(parsed, strategy)));
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
                  refused.get() + " (tenant from " + strategy.spec() + ")")));
      return;
    }
    String resolvedTenant = tenant;
    Optional<String> misplaced =
        context
            .recordMetadata()
            .flatMap(m -> partitions.check(resolvedTenant, record.key(), m.topic(), m.partition()));
    if (misplaced.isPresent()) { // another task may number this tenant: spend no id here
      context.forward(
          record.withValue(
              new Step.Rejected(
                  parsed.raw(), Stage.RESOLVE_TENANT, Reason.TENANT_PARTITION, misplaced.get())));
      return;
    }
    if (event.operation() == ChangeEvent.Operation.DELETE) {
      documentKey = documentKey != null ? documentKey : DocumentKeys.of(event);
      if (tenant.equals(remembered) || documentTenants.get(documentKey) != null) {
        documentTenants.delete(documentKey);
      }
    } else if (event.document() != null && !strategy.fromNamespace()) {
      documentKey = DocumentKeys.of(event);
      if (!tenant.equals(documentTenants.get(documentKey))) {
        documentTenants.put(documentKey, tenant); // first seen, or the document changed tenant
      }
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
      forwardReset(
          record, tenant, ControlTypes.SOURCE_HISTORY_LOST, lost.namespaces(), lost.clusterTime());
    }
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

  private static Step.Rejected unresolved(Step.Parsed parsed, TenantStrategy strategy) {
    ChangeEvent event = parsed.event();
    String detail =
        event.document() != null
            ? "the document gives no tenant (" + strategy.spec() + ")"
            : "the event has no document and no earlier event of this document named its tenant ("
                + strategy.spec()
                + ")";
    return new Step.Rejected(parsed.raw(), Stage.RESOLVE_TENANT, Reason.TENANT_UNRESOLVED, detail);
  }
}
