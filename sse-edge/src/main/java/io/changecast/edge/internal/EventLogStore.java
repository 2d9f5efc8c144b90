package io.changecast.edge.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Layout of the {@value #STORE_NAME} store: key {@code <tenant>/<id as 19 zero-padded digits>},
 * value the envelope JSON. Keys of one tenant sort by id, so a per-tenant range scan is ordered;
 * the separator cannot occur in a valid tenant, so ranges of different tenants never overlap.
 */
public final class EventLogStore {
  /** Name of the global store holding the retained events. */
  public static final String STORE_NAME = "event-log";

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final char SEPARATOR = '/';
  private static final int ID_DIGITS = 19; // Long.MAX_VALUE has 19 digits

  private EventLogStore() {}

  /** The store key of event {@code id} of {@code tenant}. */
  public static String key(String tenant, long id) {
    String digits = Long.toString(id);
    StringBuilder key = new StringBuilder(tenant.length() + 1 + ID_DIGITS);
    key.append(tenant).append(SEPARATOR);
    for (int pad = digits.length(); pad < ID_DIGITS; pad++) {
      key.append('0');
    }
    return key.append(digits).toString();
  }

  /** The tenant's retained events with an id above {@code afterId}, in id order. */
  public static List<Event> readAfter(
      ReadOnlyKeyValueStore<String, String> store, String tenant, long afterId) {
    if (afterId == Long.MAX_VALUE) {
      return List.of();
    }
    List<Event> events = new ArrayList<>();
    int idStart = tenant.length() + 1;
    try (KeyValueIterator<String, String> range =
        store.range(key(tenant, Math.max(0, afterId + 1)), key(tenant, Long.MAX_VALUE))) {
      while (range.hasNext()) {
        KeyValue<String, String> entry = range.next();
        if (entry.value != null) { // a concurrent eviction may leave a key without value
          events.add(new Event(tenant, Long.parseLong(entry.key.substring(idStart)), entry.value));
        }
      }
    }
    return events;
  }

  /**
   * Deletes the tenant's oldest events whose envelope {@code routedAt} (epoch ms) is before {@code
   * cutoffMillis}, oldest first, stopping at the first younger event or one without {@code
   * routedAt} (so the retained ids stay consecutive); never the newly appended {@code newest}.
   */
  public static void evictOlderThan(
      KeyValueStore<String, String> store, Event newest, long cutoffMillis) {
    List<String> evicted = new ArrayList<>();
    try (KeyValueIterator<String, String> range =
        store.range(key(newest.tenant(), 0), key(newest.tenant(), newest.id() - 1))) {
      while (range.hasNext()) {
        KeyValue<String, String> entry = range.next();
        if (entry.value == null) {
          continue;
        }
        OptionalLong routedAt = routedAt(entry.value);
        if (routedAt.isEmpty() || routedAt.getAsLong() >= cutoffMillis) {
          break;
        }
        evicted.add(entry.key);
      }
    }
    evicted.forEach(store::delete);
  }

  private static OptionalLong routedAt(String json) {
    try {
      com.fasterxml.jackson.databind.JsonNode node = MAPPER.readTree(json).get("routedAt");
      return node != null && node.canConvertToLong()
          ? OptionalLong.of(node.asLong())
          : OptionalLong.empty();
    } catch (java.io.IOException e) {
      return OptionalLong.empty();
    }
  }

  /** The tenant's oldest retained id, or its newest when {@code newest}. */
  public static OptionalLong firstId(
      ReadOnlyKeyValueStore<String, String> store, String tenant, boolean newest) {
    String from = key(tenant, 0);
    String to = key(tenant, Long.MAX_VALUE);
    int idStart = tenant.length() + 1;
    try (KeyValueIterator<String, String> range =
        newest ? store.reverseRange(from, to) : store.range(from, to)) {
      while (range.hasNext()) {
        KeyValue<String, String> entry = range.next();
        if (entry.value != null) {
          return OptionalLong.of(Long.parseLong(entry.key.substring(idStart)));
        }
      }
    }
    return OptionalLong.empty();
  }

  /**
   * Puts the event and deletes the tenant's events that fall out of the retention window: with ids
   * consecutive per tenant, keeping ids {@code > id - retention} keeps the newest {@code retention}
   * events.
   */
  public static void append(KeyValueStore<String, String> store, Event event, int retention) {
    store.put(key(event.tenant(), event.id()), event.json());
    long newestEvicted = event.id() - retention;
    if (newestEvicted < 0) {
      return;
    }
    List<String> evicted = new ArrayList<>();
    try (KeyValueIterator<String, String> range =
        store.range(key(event.tenant(), 0), key(event.tenant(), newestEvicted))) {
      range.forEachRemaining(entry -> evicted.add(entry.key));
    }
    evicted.forEach(store::delete);
  }
}
