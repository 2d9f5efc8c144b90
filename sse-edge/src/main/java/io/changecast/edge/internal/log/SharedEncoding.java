package io.changecast.edge.internal.log;

import java.util.function.Function;

/**
 * One encoding of an event (its SSE frame, its WebSocket message, whether it is a reset), computed
 * once per event instead of once per subscriber: a live event reaches every subscriber of its
 * tenant as the same {@link Event} instance, which keeps the encoding for the others. Another
 * instance of the same event (a replay reads its own copy) is encoded from itself. The encoding
 * lives as long as the instance: while any subscriber still has the event queued, and no longer.
 *
 * @param <T> the encoding (immutable, or never modified once made)
 */
public final class SharedEncoding<T> {
  private final Function<Event, T> encoder;

  public SharedEncoding(Function<Event, T> encoder) {
    this.encoder = encoder;
  }

  /** The encoding of {@code event}, made by the first caller for this very instance. */
  @SuppressWarnings("unchecked")
  public T of(Event event) {
    Object kept = event.encoding(this);
    if (kept != null) {
      return (T) kept;
    }
    T value = encoder.apply(event);
    event.keepEncoding(this, value);
    return value;
  }
}
