package io.changecast.edge.internal.http;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * An in-memory {@link IngestPublisher}: records what it was given, answers with {@link #answer}.
 */
public final class FakeIngestPublisher implements IngestPublisher {
  /** One published record. */
  public record Published(String tenant, String value) {}

  public final List<Published> published = new CopyOnWriteArrayList<>();
  public volatile Supplier<CompletableFuture<Void>> answer =
      () -> CompletableFuture.completedFuture(null);

  @Override
  public CompletableFuture<Void> publish(String tenant, String value) {
    published.add(new Published(tenant, value));
    return answer.get();
  }
}
