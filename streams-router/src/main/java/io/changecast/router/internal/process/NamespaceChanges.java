package io.changecast.router.internal.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.DocumentKeys;
import io.changecast.router.internal.parse.Json;
import io.changecast.router.internal.parse.NamespaceChange;
import io.changecast.router.internal.parse.Pending;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link NamespaceChange} does to the tenant stores, and the reset each affected tenant
 * gets:
 *
 * <ul>
 *   <li>drop, rename, dropDatabase: the tenants that had events in the namespace (a rename: in its
 *       source or target). A drop forgets the namespace's documents ({@code document-tenants}); a
 *       rename moves them to the target, and remembers the source's tenants there. The change is
 *       remembered as the last one, for the invalidate that may follow.
 *   <li>invalidate: the tenants of the change that caused it (the last one, at the same cluster
 *       time), or, when that is unknown, every tenant, for each of its databases.
 * </ul>
 */
final class NamespaceChanges {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceChanges.class);

  private final KeyValueStore<String, String> documentTenants;
  private final NamespaceTenants namespaceTenants;

  NamespaceChanges(
      KeyValueStore<String, String> documentTenants, NamespaceTenants namespaceTenants) {
    this.documentTenants = documentTenants;
    this.namespaceTenants = namespaceTenants;
  }

  /** Applies {@code change} to the stores; the reset of each affected tenant, by tenant. */
  SortedMap<String, Pending.Reset> apply(NamespaceChange change) {
    String reason = change.kind().reason();
    SortedMap<String, Pending.Reset> resets = new TreeMap<>();
    if (change.kind() == NamespaceChange.Kind.INVALIDATE) {
      Envelope.ClusterTime clusterTime = change.clusterTime();
      List<NamespaceChange.Namespace> cause = namespaceTenants.lastAt(clusterTime);
      if (cause.isEmpty()) {
        namespaceTenants
            .databasesByTenant()
            .forEach(
                (tenant, dbs) -> {
                  ArrayNode namespaces = Json.mapper().createArrayNode();
                  dbs.forEach(db -> namespaces.addObject().put("db", db));
                  resets.put(tenant, new Pending.Reset(reason, namespaces, clusterTime));
                });
        LOG.warn(
            "The source's change stream was invalidated, by no drop or rename seen at its cluster"
                + " time {}: resetting every tenant ({})",
            clusterTime,
            resets.size());
        return resets;
      }
      change = new NamespaceChange(change.kind(), cause, clusterTime, null);
    } else {
      NamespaceChange.Namespace source = change.namespaces().get(0);
      SortedSet<String> before = namespaceTenants.of(change.namespaces());
      if (change.kind() == NamespaceChange.Kind.RENAME) {
        NamespaceChange.Namespace target = change.namespaces().get(1);
        namespaceTenants.copy(source, target);
        moveDocuments(source, target);
      } else {
        deleteDocuments(DocumentKeys.prefix(source.db(), source.coll()));
      }
      namespaceTenants.rememberLast(change);
      return resetsOf(change, before);
    }
    return resetsOf(change, namespaceTenants.of(change.namespaces()));
  }

  private static SortedMap<String, Pending.Reset> resetsOf(
      NamespaceChange change, SortedSet<String> tenants) {
    LOG.info(
        "{} {}: resetting {} tenant(s) {}",
        change.kind().reason(),
        change.namespaces(),
        tenants.size(),
        tenants.size() <= 20 ? tenants : "");
    JsonNode namespaces = change.namespacesJson();
    SortedMap<String, Pending.Reset> resets = new TreeMap<>();
    tenants.forEach(
        tenant ->
            resets.put(
                tenant,
                new Pending.Reset(change.kind().reason(), namespaces, change.clusterTime())));
    return resets;
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
}
