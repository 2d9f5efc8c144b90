package io.changecast.edge.internal;

/** A live subscription; closing it stops delivery. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
