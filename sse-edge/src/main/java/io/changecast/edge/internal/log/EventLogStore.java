package io.changecast.edge.internal.log;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.NoSuchElementException;
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
  private static final int SCAN_ATTEMPTS = 5;

  /** Evictions of fewer ids than this write tombstones by key; larger ones read a range. */
  private static final int EVICT_BY_KEY = 64;

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

  /**
   * The tenant's retained events with an id above {@code afterId}, in id order.
   *
   * <p>Events are read by key, one id after the other: Kafka's in-memory store answers {@code get}
   * under its lock, but its range iterators look values up without it, so a range read while the
   * global thread appends can silently miss entries (a replay with a hole, seen as a retention
   * reset). Ranges only find where to start and whether anything follows a missing id.
   */
  public static List<Event> readAfter(
      ReadOnlyKeyValueStore<String, String> store, String tenant, long afterId) {
    if (afterId == Long.MAX_VALUE) {
      return List.of();
    }
    List<Event> events = new ArrayList<>();
    long id = Math.max(0, afterId + 1);
    while (true) {
      String value = store.get(key(tenant, id));
      if (value != null) {
        events.add(new Event(tenant, id, value));
        if (id == Long.MAX_VALUE) {
          return events;
        }
        id++;
        continue;
      }
      // Not there: evicted (start at the oldest retained), a hole (an unreadable record), or the
      // end. The range answers which; its first key is then read by key like every other.
      OptionalLong next = firstIdFrom(store, tenant, id);
      if (next.isEmpty()) {
        return events;
      }
      id = next.getAsLong();
    }
  }

  /** The first retained id at or after {@code fromId}, if any. */
  private static OptionalLong firstIdFrom(
      ReadOnlyKeyValueStore<String, String> store, String tenant, long fromId) {
    return boundary(store, tenant, fromId, false);
  }

  /**
   * The oldest retained id at or after {@code fromId}, or the newest when {@code newest}: the scan
   * finds a candidate, reads by key step on past entries it missed.
   */
  private static OptionalLong boundary(
      ReadOnlyKeyValueStore<String, String> store, String tenant, long fromId, boolean newest) {
    OptionalLong found = scan(store, tenant, fromId, newest);
    if (found.isEmpty()) {
      return found;
    }
    long id = found.getAsLong();
    long step = newest ? 1 : -1;
    while (id + step >= fromId && store.get(key(tenant, id + step)) != null) {
      id += step;
    }
    return OptionalLong.of(id);
  }

  /**
   * The first id of {@code tenant} at or after {@code fromId} (or the last, when {@code reverse})
   * that the store holds by key. Kafka's in-memory iterators may skip entries or fail with {@link
   * NoSuchElementException} while the global thread writes; a failed scan is retried, a skip is
   * corrected by the callers' reads by key.
   */
  private static OptionalLong scan(
      ReadOnlyKeyValueStore<String, String> store, String tenant, long fromId, boolean reverse) {
    String from = key(tenant, Math.max(0, fromId));
    String to = key(tenant, Long.MAX_VALUE);
    int idStart = tenant.length() + 1;
    for (int attempt = 1; ; attempt++) {
      try (KeyValueIterator<String, String> range =
          reverse ? store.reverseRange(from, to) : store.range(from, to)) {
        while (range.hasNext()) {
          String key = range.next().key;
          if (store.get(key) != null) {
            return OptionalLong.of(Long.parseLong(key.substring(idStart)));
          }
        }
        return OptionalLong.empty();
      } catch (NoSuchElementException | ConcurrentModificationException raced) {
        if (attempt == SCAN_ATTEMPTS) {
          throw raced;
        }
      }
    }
  }

  /**
   * Deletes the tenant's oldest events whose envelope {@code routedAt} (epoch ms) is before {@code
   * cutoffMillis}, oldest first, stopping at the first younger event or one without {@code
   * routedAt} (so the retained ids stay consecutive); never the newly appended {@code newest}. The
   * range starts at {@code fromId}: a writer that knows every id below it is gone passes it (see
   * {@link #evictBeyond}). Returns the newest evicted id, -1 when none.
   */
  public static long evictOlderThan(
      KeyValueStore<String, String> store, Event newest, long cutoffMillis, long fromId) {
    List<String> evicted = new ArrayList<>();
    if (fromId > newest.id() - 1) {
      return -1;
    }
    try (KeyValueIterator<String, String> range =
        store.range(key(newest.tenant(), fromId), key(newest.tenant(), newest.id() - 1))) {
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
    return evicted.isEmpty() ? -1 : idOf(newest.tenant(), evicted.get(evicted.size() - 1));
  }

  private static long idOf(String tenant, String key) {
    return Long.parseLong(key.substring(tenant.length() + 1));
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

  /**
   * The tenant's oldest retained id, or its newest when {@code newest}. The range finds a
   * candidate; reads by key (see {@link #readAfter}) then step to the true end, in case the range
   * missed an entry.
   */
  public static OptionalLong firstId(
      ReadOnlyKeyValueStore<String, String> store, String tenant, boolean newest) {
    return boundary(store, tenant, 0, newest);
  }

  /**
   * Puts the event and deletes the tenant's events that fall out of the retention window (see
   * {@link #evictBeyond}, from id 0). Returns the newest id no longer retained, -1 when none.
   */
  public static long append(KeyValueStore<String, String> store, Event event, int retention) {
    store.put(key(event.tenant(), event.id()), event.json());
    return evictBeyond(store, event, retention, 0);
  }

  /**
   * Deletes the tenant's events from {@code fromId} on that fall out of the retention window: with
   * ids consecutive per tenant, keeping ids {@code > id - retention} keeps the newest {@code
   * retention} events. Returns the newest id no longer retained, -1 when none. A writer that knows
   * every id below {@code fromId} is gone passes it, so the range does not step over the deletions
   * of earlier evictions (RocksDB keeps them as tombstones until a compaction).
   */
  public static long evictBeyond(
      KeyValueStore<String, String> store, Event event, int retention, long fromId) {
    long newestEvicted = event.id() - retention;
    if (newestEvicted < 0) {
      return -1;
    }
    if (fromId <= newestEvicted) {
      if (newestEvicted - fromId < EVICT_BY_KEY) {
        // ids are consecutive per tenant: tombstones by key in one write, no range over the
        // tombstones of earlier evictions, no read per key
        List<KeyValue<String, String>> tombstones = new ArrayList<>();
        for (long id = fromId; id <= newestEvicted; id++) {
          tombstones.add(KeyValue.pair(key(event.tenant(), id), null));
        }
        store.putAll(tombstones);
      } else {
        List<String> evicted = new ArrayList<>();
        try (KeyValueIterator<String, String> range =
            store.range(key(event.tenant(), fromId), key(event.tenant(), newestEvicted))) {
          range.forEachRemaining(entry -> evicted.add(entry.key));
        }
        evicted.forEach(store::delete);
      }
    }
    return newestEvicted;
  }
}
