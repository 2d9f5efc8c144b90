package io.changecast.edge.internal.log;

import io.changecast.edge.internal.documents.Documents;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The retained per-tenant event log the SSE endpoint serves from: a range read for replay and a
 * live subscription for the tail. Implementations: {@link KafkaEventLog} (a Kafka Streams global
 * store) and {@link InMemoryEventLog} (tests, embedding).
 *
 * <p>Contract that makes a gap-free handover possible: an event is readable through {@link
 * #readAfter} before it is delivered to subscribers, and subscribers of one tenant receive its
 * events in id order.
 */
public interface EventLog {

  /**
   * The retained events of {@code tenant} with an id greater than {@code afterId}, in id order.
   *
   * @throws EventLogUnavailableException if the log cannot be read now (e.g. still restoring)
   */
  List<Event> readAfter(String tenant, long afterId);

  /** The id of the tenant's oldest retained event, if any. */
  default OptionalLong oldestId(String tenant) {
    List<Event> all = readAfter(tenant, -1);
    return all.isEmpty() ? OptionalLong.empty() : OptionalLong.of(all.get(0).id());
  }

  /** The id of the tenant's newest retained event, if any. */
  default OptionalLong latestId(String tenant) {
    List<Event> all = readAfter(tenant, -1);
    return all.isEmpty() ? OptionalLong.empty() : OptionalLong.of(all.get(all.size() - 1).id());
  }

  /** Delivers the tenant's events appended from now on; the listener must not block. */
  Subscription subscribe(String tenant, Consumer<Event> listener);

  /** The latest source cluster time seen, if any. */
  Optional<ClusterTime> latestClusterTime();

  /**
   * The document state kept beside the log (snapshots, the filter rule of filtered streams), when
   * it is on. Contract as for events: an event is applied to it before subscribers receive it.
   */
  default Optional<Documents> documents() {
    return Optional.empty();
  }
}
