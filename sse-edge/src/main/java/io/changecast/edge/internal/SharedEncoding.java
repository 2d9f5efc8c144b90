package io.changecast.edge.internal;

import java.util.function.Function;

/**
 * One encoding of an event (its SSE frame, its WebSocket message, whether it is a reset), computed
 * once per event instead of once per subscriber: a live event reaches every subscriber of its
 * tenant as the same {@link Event} instance, so a small direct-mapped table keyed by identity finds
 * it again. Lock-free; a miss (a slot taken by another event, a replayed copy) only encodes again.
 * Entries are immutable records, so a racy read sees a whole entry or an older one. Events larger
 * than {@value #MAX_SHARED_CHARS} characters are encoded per call and never kept: the table holds
 * at most {@value #SLOTS} small events and their encodings (a few MB per table), not the tail of
 * the event log's largest payloads.
 *
 * @param <T> the encoding (immutable, or never modified once made)
 */
final class SharedEncoding<T> {
  private static final int SLOTS = 1 << 12;
  static final int MAX_SHARED_CHARS = 8 * 1024;

  private record Entry<T>(Event event, T value) {}

  private final Function<Event, T> encoder;
  private final Object[] slots = new Object[SLOTS];

  SharedEncoding(Function<Event, T> encoder) {
    this.encoder = encoder;
  }

  /** The encoding of {@code event}, from the table when this very instance was encoded before. */
  @SuppressWarnings("unchecked")
  T of(Event event) {
    if (event.json().length() > MAX_SHARED_CHARS) {
      return encoder.apply(event);
    }
    int slot = slot(event);
    Entry<T> entry = (Entry<T>) slots[slot];
    if (entry != null && entry.event() == event) {
      return entry.value();
    }
    T value = encoder.apply(event);
    slots[slot] = new Entry<>(event, value);
    return value;
  }

  private static int slot(Event event) {
    long id = event.id();
    int hash = (int) (id ^ (id >>> 32)) * 0x9E3779B9 + event.tenant().hashCode();
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }
}
