package io.changecast.edge.internal.log;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process fan-out of newly appended events to the live subscribers of their tenant. Listeners
 * run on the publishing thread and must not block (SSE sessions only enqueue).
 */
public final class EventHub {
  private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

  private final ConcurrentHashMap<String, Set<Consumer<Event>>> byTenant =
      new ConcurrentHashMap<>();

  /** Delivers every event published for {@code tenant} from now on, until closed. */
  public Subscription subscribe(String tenant, Consumer<Event> listener) {
    // A fresh wrapper per call, so the same listener may subscribe twice and close independently.
    Consumer<Event> entry = listener::accept;
    byTenant.compute(
        tenant,
        (key, listeners) -> {
          Set<Consumer<Event>> set = listeners == null ? new CopyOnWriteArraySet<>() : listeners;
          set.add(entry);
          return set;
        });
    return () ->
        byTenant.computeIfPresent(
            tenant,
            (key, listeners) -> {
              listeners.remove(entry);
              return listeners.isEmpty() ? null : listeners;
            });
  }

  /** Hands {@code event} to every current subscriber of its tenant. */
  public void publish(Event event) {
    Set<Consumer<Event>> listeners = byTenant.get(event.tenant());
    if (listeners == null) {
      return;
    }
    for (Consumer<Event> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("Subscriber of tenant {} failed on event {}", event.tenant(), event.id(), e);
      }
    }
  }

  /** Number of live subscriptions over all tenants. */
  public int subscriberCount() {
    return byTenant.values().stream().mapToInt(Set::size).sum();
  }
}
