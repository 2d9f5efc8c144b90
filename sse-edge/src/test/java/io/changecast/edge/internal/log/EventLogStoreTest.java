package io.changecast.edge.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reads of the event-log store on Kafka's in-memory store, also while another thread appends. */
class EventLogStoreTest {
  private KeyValueStore<String, String> store;

  @BeforeEach
  void openStore() {
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(EventLogStore.STORE_NAME),
                Serdes.String(),
                Serdes.String())
            .withLoggingDisabled()
            .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void readsFromThePositionTheOldestRetainedAndPastAHole() {
    for (long id = 1; id <= 10; id++) {
      EventLogStore.append(store, event("acme", id), 6); // keeps 5..10
    }
    EventLogStore.append(store, event("acme-2", 1), 6);
    store.delete(EventLogStore.key("acme", 8)); // a record the edge could not read

    assertThat(ids(EventLogStore.readAfter(store, "acme", 6))).containsExactly(7L, 9L, 10L);
    assertThat(ids(EventLogStore.readAfter(store, "acme", 0))).containsExactly(5L, 6L, 7L, 9L, 10L);
    assertThat(EventLogStore.readAfter(store, "acme", 10)).isEmpty();
    assertThat(EventLogStore.readAfter(store, "acme", Long.MAX_VALUE)).isEmpty();
    assertThat(EventLogStore.readAfter(store, "nobody", -1)).isEmpty();
    assertThat(EventLogStore.firstId(store, "acme", false)).isEqualTo(OptionalLong.of(5));
    assertThat(EventLogStore.firstId(store, "acme", true)).isEqualTo(OptionalLong.of(10));
    assertThat(EventLogStore.firstId(store, "nobody", true)).isEmpty();
  }

  @Test
  void anEvictionFromTheNewestEvictedIdKeepsTheSameEventsAsOneFromTheStart() {
    long evictedThrough = -1;
    for (long id = 1; id <= 20; id++) {
      Event event = event("acme", id);
      store.put(EventLogStore.key("acme", id), event.json());
      long evicted = EventLogStore.evictBeyond(store, event, 6, evictedThrough + 1);
      evictedThrough = Math.max(evictedThrough, evicted);
    }
    assertThat(evictedThrough).isEqualTo(14);
    assertThat(ids(EventLogStore.readAfter(store, "acme", 0)))
        .containsExactly(15L, 16L, 17L, 18L, 19L, 20L);
    // an id the writer did not evict itself (below its start) is left alone: a range past it
    store.put(EventLogStore.key("acme", 3), event("acme", 3).json());
    EventLogStore.evictBeyond(store, event("acme", 21), 6, evictedThrough + 1);
    assertThat(ids(EventLogStore.readAfter(store, "acme", 0))).startsWith(3L, 16L);
  }

  /**
   * The replay of a tenant while the global thread appends is always its ids in a row: Kafka's
   * in-memory range iterators read values without the store's lock and could skip entries.
   */
  @Test
  void replaysHaveNoHoleWhileEventsAreAppended() throws Exception {
    long total = 100_000;
    AtomicLong appended = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (long id = 1; id <= total; id++) {
                EventLogStore.append(store, event("acme", id), Integer.MAX_VALUE);
                EventLogStore.append(store, event("globex", id), Integer.MAX_VALUE);
                appended.set(id);
              }
              done.set(true);
            });
    int reads = 0;
    while (!done.get() || reads == 0) {
      // Resuming near the head, as reconnecting clients do: the reads meet the appends.
      long before = appended.get();
      long after = Math.max(0, before - 20);
      List<Event> replay = EventLogStore.readAfter(store, "acme", after);
      reads++;
      assertThat(replay.size()).as("events read").isGreaterThanOrEqualTo((int) (before - after));
      for (int i = 0; i < replay.size(); i++) {
        if (replay.get(i).id() != after + 1 + i) {
          throw new AssertionError(
              "read "
                  + reads
                  + " after "
                  + after
                  + ": position "
                  + i
                  + " holds id "
                  + replay.get(i).id());
        }
      }
    }
    writer.get(1, TimeUnit.MINUTES);
    assertThat(EventLogStore.readAfter(store, "acme", 0)).hasSize((int) total);
  }

  private static Event event(String tenant, long id) {
    return new Event(tenant, id, "{\"id\":\"" + id + "\",\"tenant\":\"" + tenant + "\"}");
  }

  private static List<Long> ids(List<Event> events) {
    return events.stream().map(Event::id).toList();
  }
}
