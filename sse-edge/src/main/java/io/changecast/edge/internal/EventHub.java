package io.changecast.edge.internal;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process hand-off of newly appended events to the live listeners of their tenant. Listeners run
 * on the publishing thread and must not block. A listener subscribed several times (the streams of
 * one tenant share one {@link TenantFeed}) receives each event once; each subscription closes on
 * its own, and the listener is dropped with the last one.
 */
public final class EventHub {
  private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

  /** The distinct listeners of a tenant and how many subscriptions each has; immutable. */
  private record Listeners(Consumer<Event>[] distinct, int[] counts) {
    int total() {
      return Arrays.stream(counts).sum();
    }

    int indexOf(Consumer<Event> listener) {
      for (int i = 0; i < distinct.length; i++) {
        if (distinct[i] == listener) {
          return i;
        }
      }
      return -1;
    }

    @SuppressWarnings("unchecked")
    Listeners plus(Consumer<Event> listener) {
      int i = indexOf(listener);
      if (i >= 0) {
        int[] more = counts.clone();
        more[i]++;
        return new Listeners(distinct, more);
      }
      Consumer<Event>[] listeners = Arrays.copyOf(distinct, distinct.length + 1);
      listeners[distinct.length] = listener;
      int[] more = Arrays.copyOf(counts, counts.length + 1);
      more[counts.length] = 1;
      return new Listeners(listeners, more);
    }

    /** Without one subscription of {@code listener}; null when none is left. */
    @SuppressWarnings("unchecked")
    Listeners minus(Consumer<Event> listener) {
      int i = indexOf(listener);
      if (i < 0) {
        return this;
      }
      if (counts[i] > 1) {
        int[] fewer = counts.clone();
        fewer[i]--;
        return new Listeners(distinct, fewer);
      }
      if (distinct.length == 1) {
        return null;
      }
      Consumer<Event>[] listeners = new Consumer[distinct.length - 1];
      int[] fewer = new int[counts.length - 1];
      for (int from = 0, to = 0; from < distinct.length; from++) {
        if (from != i) {
          listeners[to] = distinct[from];
          fewer[to++] = counts[from];
        }
      }
      return new Listeners(listeners, fewer);
    }
  }

  @SuppressWarnings("unchecked")
  private static final Listeners NONE = new Listeners(new Consumer[0], new int[0]);

  private final ConcurrentHashMap<String, Listeners> byTenant = new ConcurrentHashMap<>();

  /**
   * Delivers every event published for {@code tenant} from now on, until closed (idempotent). The
   * same listener subscribed again still receives each event once.
   */
  public Subscription subscribe(String tenant, Consumer<Event> listener) {
    byTenant.compute(
        tenant, (key, listeners) -> (listeners == null ? NONE : listeners).plus(listener));
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        byTenant.computeIfPresent(tenant, (key, listeners) -> listeners.minus(listener));
      }
    };
  }

  /** Hands {@code event} to every current listener of its tenant. */
  public void publish(Event event) {
    Listeners listeners = byTenant.get(event.tenant());
    if (listeners == null) {
      return;
    }
    for (Consumer<Event> listener : listeners.distinct()) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("Subscriber of tenant {} failed on event {}", event.tenant(), event.id(), e);
      }
    }
  }

  /** Number of live subscriptions over all tenants. */
  public int subscriberCount() {
    return byTenant.values().stream().mapToInt(Listeners::total).sum();
  }
}
