package io.changecast.edge.internal.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * The applier off the hand-over thread: its batches leave the store exactly as applying the events
 * one by one does, and a write that fails leaves each tenant's state exact as of its applied id.
 */
class DocumentApplierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private record Change(String tenant, long id, String envelope) {}

  /**
   * Seeded changes over 3 tenants: inserts, updates with and without a post-image, deletes,
   * published events and, now and then, a dropped or renamed collection.
   */
  private static List<Change> changes(long seed, int count) {
    Random random = new Random(seed);
    Map<String, Long> ids = new HashMap<>();
    List<Change> changes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String tenant = "t" + random.nextInt(3);
      long id = ids.merge(tenant, 1L, Long::sum);
      String collection = "c" + random.nextInt(2);
      String key = "k" + random.nextInt(40);
      int r = random.nextInt(100);
      String envelope;
      if (r < 35) {
        envelope = change("insert", collection, key, ",\"document\":{\"n\":" + i + "}");
      } else if (r < 55) {
        envelope =
            change(
                "update",
                collection,
                key,
                ",\"changes\":{\"updatedFields\":{\"m\":" + i + "},\"removedFields\":[\"n\"]}");
      } else if (r < 70) {
        envelope = change("replace", collection, key, ",\"document\":{\"r\":" + i + "}");
      } else if (r < 90) {
        envelope = change("delete", collection, key, "");
      } else if (r < 96) {
        envelope = "{\"operation\":\"publish\",\"data\":{\"x\":" + i + "}}";
      } else if (r < 98) {
        envelope =
            "{\"operation\":\"reset\",\"reason\":\"collection-dropped\",\"namespaces\":"
                + "[{\"db\":\"app\",\"coll\":\""
                + collection
                + "\"}]}";
      } else {
        envelope =
            "{\"operation\":\"reset\",\"reason\":\"collection-renamed\",\"namespaces\":"
                + "[{\"db\":\"app\",\"coll\":\"c0\"},{\"db\":\"app\",\"coll\":\"c1\"}]}";
      }
      changes.add(new Change(tenant, id, envelope));
    }
    return changes;
  }

  private static String change(String op, String collection, String key, String rest) {
    return "{\"operation\":\""
        + op
        + "\",\"database\":\"app\",\"collection\":\""
        + collection
        + "\",\"documentKey\":{\"_id\":\""
        + key
        + "\"}"
        + rest
        + "}";
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static TreeMap<String, String> contents(KeyValues kv) {
    TreeMap<String, String> all = new TreeMap<>();
    kv.range(
        "",
        "\uffff",
        e -> {
          all.put(e.key, e.value);
          return true;
        });
    return all;
  }

  /** Each change applied and written on its own, for the changes {@code include} accepts. */
  private static TreeMap<String, String> oneByOne(List<Change> changes, Predicate<Change> include) {
    KeyValues.Mutable kv = KeyValues.inMemory();
    for (Change c : changes) {
      if (include.test(c)) {
        DocumentState.apply(kv, c.tenant(), c.id(), parse(c.envelope()));
      }
    }
    return contents(kv);
  }

  @Test
  void aStateInThePreReleaseLayoutIsRefusedNamingTheFix() {
    KeyValues.Mutable kv = KeyValues.inMemory();
    kv.write(
        List.of(
            KeyValue.pair("acme#u#0000000000000000001", "[{\"k\":\"x\",\"p\":null}]"),
            KeyValue.pair("\u0001applied/acme", "1 0")));

    assertThatThrownBy(() -> new DocumentApplier(kv, new Documents(() -> kv), (t, id, ts) -> -1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 tenant(s) in the pre-release layout")
        .hasMessageContaining("delete the edge's state directory (state.dir)");
  }

  @Test
  void batchesLeaveTheStoreAsEventByEventApplicationDoes() {
    List<Change> changes = changes(20, 5_000);
    KeyValues.Mutable kv = KeyValues.inMemory();
    Documents documents = new Documents(() -> kv);
    try (DocumentApplier applier = new DocumentApplier(kv, documents, (t, id, ts) -> -1)) {
      for (Change c : changes) {
        applier.submit(c.tenant(), c.id(), parse(c.envelope()), 0);
      }
      applier.drain();
      Change last = changes.get(changes.size() - 1);
      assertThat(documents.awaitApplied(last.tenant(), last.id(), WAIT)).isTrue();
      assertThat(applier.applied(last.tenant())).isEqualTo(last.id());
    }
    TreeMap<String, String> expected = oneByOne(changes, c -> true);
    assertThat(contents(kv)).isEqualTo(expected);
    long held = expected.keySet().stream().filter(DocumentState::isHeadKey).count();
    assertThat(documents.held()).isEqualTo(held);
    // re-submitted events (a restore re-reading from the checkpoint) are skipped
    try (DocumentApplier again = new DocumentApplier(kv, documents, (t, id, ts) -> -1)) {
      for (Change c : changes.subList(changes.size() - 500, changes.size())) {
        again.submit(c.tenant(), c.id(), parse(c.envelope()), 0);
      }
      again.drain();
    }
    assertThat(contents(kv)).isEqualTo(expected);
  }

  @Test
  void theFloorFollowsTheRetentionAtOnceAndObsoleteVersionsGoEveryFewHundredIds() {
    List<Change> changes = changes(23, 6_000);
    int retention = 50;
    KeyValues.Mutable kv = KeyValues.inMemory();
    Map<String, Long> newest = new HashMap<>();
    try (DocumentApplier applier =
        new DocumentApplier(kv, new Documents(() -> kv), (t, id, ts) -> id - retention)) {
      for (Change c : changes) {
        applier.submit(c.tenant(), c.id(), c.envelope(), 0);
        newest.merge(c.tenant(), c.id(), Math::max);
      }
      applier.drain();
    }
    // the same events applied one by one, their obsolete versions removed through the same ids
    KeyValues.Mutable expected = KeyValues.inMemory();
    for (Change c : changes) {
      DocumentState.apply(expected, c.tenant(), c.id(), parse(c.envelope()));
    }
    for (String tenant : newest.keySet()) {
      long[] floor = DocumentState.floorAndCleaned(kv, tenant);
      assertThat(floor[0]).isEqualTo(newest.get(tenant) - retention);
      assertThat(floor[0] - floor[1]).isBetween(0L, DocumentApplier.REMOVE_EVERY - 1L);
      assertThat(floor[1]).isGreaterThanOrEqualTo(DocumentApplier.REMOVE_EVERY);
      DocumentState.evictThrough(expected, tenant, floor[1]);
      expected.write(
          List.of(
              KeyValue.pair(
                  DocumentState.floorKey(tenant), kv.get(DocumentState.floorKey(tenant)))));
    }
    assertThat(contents(kv)).isEqualTo(contents(expected));
  }

  @Test
  void aFailedWriteLeavesEachTenantExactAsOfItsAppliedIdAndStopsTheApplier() {
    List<Change> changes = changes(21, 5_000);
    KeyValues.Mutable store = KeyValues.inMemory();
    AtomicInteger writes = new AtomicInteger();
    KeyValues.Mutable failing =
        new KeyValues.Mutable() {
          @Override
          public String get(String key) {
            return store.get(key);
          }

          @Override
          public void range(String from, String to, Predicate<KeyValue<String, String>> each) {
            store.range(from, to, each);
          }

          @Override
          public void write(List<KeyValue<String, String>> batch) {
            if (writes.incrementAndGet() == 4) {
              throw new IllegalStateException("disk full");
            }
            store.write(batch);
          }
        };
    DocumentApplier applier =
        new DocumentApplier(failing, new Documents(() -> store), (t, id, ts) -> -1);
    assertThatThrownBy(
            () -> {
              for (Change c : changes) {
                applier.submit(c.tenant(), c.id(), parse(c.envelope()), 0);
                if (c.id() % 100 == 0) {
                  applier.drain(); // smaller batches, so the failing write is within the run
                }
              }
              applier.drain();
            })
        .hasMessageContaining("could not be written")
        .hasRootCauseMessage("disk full");
    applier.close();
    Map<String, Long> applied = new HashMap<>();
    for (String tenant : List.of("t0", "t1", "t2")) {
      applied.put(tenant, DocumentState.applied(store, tenant));
    }
    assertThat(applied.values().stream().mapToLong(Long::longValue).sum())
        .isGreaterThan(0)
        .isLessThan(changes.size());
    assertThat(contents(store))
        .isEqualTo(oneByOne(changes, c -> c.id() <= applied.get(c.tenant())));
  }
}
