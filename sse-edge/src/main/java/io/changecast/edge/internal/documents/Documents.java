package io.changecast.edge.internal.documents;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The read side of the document state (see {@link DocumentState}) over the store that holds it, and
 * the number of documents held, kept by the writer.
 */
public final class Documents {
  private final Supplier<KeyValues> store;
  private final AtomicLong held = new AtomicLong();
  private volatile DocumentApplier applier;

  /**
   * @param store the store, read afresh for each request (its supplier throws when the store cannot
   *     be read now)
   */
  public Documents(Supplier<KeyValues> store) {
    this.store = store;
  }

  /** See {@link DocumentState#page}. */
  public DocumentState.PageResult page(
      String tenant, OptionalLong asOf, String afterKey, int limit, Predicate<String> select) {
    return DocumentState.page(store.get(), tenant, asOf, afterKey, limit, select);
  }

  /** The tenant's last applied id (0 before any). */
  public long applied(String tenant) {
    return DocumentState.applied(store.get(), tenant);
  }

  /** See {@link DocumentState#images}. */
  public Optional<DocumentState.Images> images(String tenant, long id, JsonNode envelope) {
    return DocumentState.images(store.get(), tenant, id, envelope);
  }

  /** The applier that writes the state from now on (the edge's, when it starts). */
  void appliedBy(DocumentApplier applier) {
    this.applier = applier;
  }

  /**
   * Whether the tenant's event {@code id} is applied to the state, waiting at most {@code timeout}
   * for the applier (see {@link DocumentApplier}); true at once where events are applied as they
   * are stored.
   */
  public boolean awaitApplied(String tenant, long id, Duration timeout) {
    DocumentApplier current = applier;
    return current == null || current.awaitApplied(tenant, id, timeout);
  }

  /** Documents held, all tenants. */
  public long held() {
    return held.get();
  }

  /** Sets the count (at startup). */
  public void held(long count) {
    held.set(count);
  }

  /** Adds {@code delta} to the count (the writer, per event). */
  public void adjust(long delta) {
    if (delta != 0) {
      held.addAndGet(delta);
    }
  }
}
