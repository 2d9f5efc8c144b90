package io.changecast.router.internal.process;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.contract.TenantId;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.Json;
import io.changecast.router.internal.parse.NamespaceChange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@code namespace-tenants} store: which tenants have had events in which namespace, so that a
 * namespace-wide event (history lost, a drop, a rename) becomes one reset per affected tenant. Keys
 * are {@code <db>\0<coll>\0<tenant>} (value {@code 1}); entries are never removed, a tenant that
 * had events in a namespace keeps getting its resets.
 *
 * <p>One more key, {@code \0last-namespace-change}, holds the last namespace change (its cluster
 * time and namespaces): an {@code invalidate} names no namespace, but it carries the cluster time
 * of the drop, rename or dropDatabase that caused it, which names them. The key starts with {@code
 * \0} and no namespace key does (a database name is never empty), so prefix scans never meet it.
 */
final class NamespaceTenants {

  private static final char SEP = '\u0000';
  private static final String LAST_CHANGE_KEY = SEP + "last-namespace-change";

  /** At most this many keys are remembered as present in memory; past it, the store is read. */
  private static final int MAX_KNOWN = 100_000;

  private final KeyValueStore<String, String> store;
  // keys this instance saw in the store or wrote there: entries are never removed, so a key once
  // present stays present, and the store need not be read for it again (one read per event saved)
  private final Set<String> known = new HashSet<>();

  /** A view of {@code store}; make a new one whenever the task (re)initialises. */
  NamespaceTenants(KeyValueStore<String, String> store) {
    this.store = store;
  }

  /** Notes that {@code tenant} has had an event in {@code db.coll}. */
  void add(String db, String coll, String tenant) {
    String key = db + SEP + coll + SEP + tenant;
    if (known.contains(key)) {
      return;
    }
    if (store.get(key) == null) {
      store.put(key, "1");
    }
    if (known.size() < MAX_KNOWN) {
      known.add(key);
    }
  }

  /** The tenants of {@code namespaces} (a namespace without {@code coll}: its whole database). */
  SortedSet<String> of(List<NamespaceChange.Namespace> namespaces) {
    SortedSet<String> tenants = new TreeSet<>();
    for (NamespaceChange.Namespace ns : namespaces) {
      String prefix = ns.coll() == null ? ns.db() + SEP : ns.db() + SEP + ns.coll() + SEP;
      try (KeyValueIterator<String, String> it = store.prefixScan(prefix, new StringSerializer())) {
        it.forEachRemaining(kv -> tenants.add(tenantOf(kv.key)));
      }
    }
    tenants.removeIf(tenant -> !TenantId.isValid(tenant)); // remembered by earlier versions
    return tenants;
  }

  /** Every tenant with the databases it has had events in. */
  SortedMap<String, SortedSet<String>> databasesByTenant() {
    SortedMap<String, SortedSet<String>> databases = new TreeMap<>();
    try (KeyValueIterator<String, String> it = store.all()) {
      it.forEachRemaining(
          kv -> {
            if (kv.key.charAt(0) != SEP && TenantId.isValid(tenantOf(kv.key))) {
              databases
                  .computeIfAbsent(tenantOf(kv.key), t -> new TreeSet<>())
                  .add(kv.key.substring(0, kv.key.indexOf(SEP)));
            }
          });
    }
    return databases;
  }

  /** Adds the tenants of {@code from} to {@code to} (a rename: the documents moved there). */
  void copy(NamespaceChange.Namespace from, NamespaceChange.Namespace to) {
    for (String tenant : of(List.of(from))) {
      add(to.db(), to.coll(), tenant);
    }
  }

  /** Remembers {@code change} as the last namespace change, for the invalidate that may follow. */
  void rememberLast(NamespaceChange change) {
    ObjectNode last = Json.mapper().createObjectNode();
    if (change.clusterTime() != null) {
      last.putObject("clusterTime")
          .put("t", change.clusterTime().t())
          .put("i", change.clusterTime().i());
    }
    last.set("namespaces", change.namespacesJson());
    store.put(LAST_CHANGE_KEY, last.toString());
  }

  /**
   * The namespaces of the last namespace change if it happened at {@code clusterTime} (the
   * invalidate's cause), else empty.
   */
  List<NamespaceChange.Namespace> lastAt(Envelope.ClusterTime clusterTime) {
    String value = store.get(LAST_CHANGE_KEY);
    if (value == null || clusterTime == null) {
      return List.of();
    }
    JsonNode last;
    try {
      last = Json.mapper().readTree(value);
    } catch (JacksonException e) {
      return List.of();
    }
    JsonNode time = last.path("clusterTime");
    if (!Objects.equals(
        new Envelope.ClusterTime(time.path("t").asLong(-1), time.path("i").asLong(-1)),
        clusterTime)) {
      return List.of();
    }
    List<NamespaceChange.Namespace> namespaces = new ArrayList<>();
    for (JsonNode ns : last.path("namespaces")) {
      namespaces.add(
          new NamespaceChange.Namespace(
              ns.path("db").asText(), ns.has("coll") ? ns.get("coll").asText() : null));
    }
    return namespaces;
  }

  private static String tenantOf(String key) {
    return key.substring(key.lastIndexOf(SEP) + 1);
  }
}
