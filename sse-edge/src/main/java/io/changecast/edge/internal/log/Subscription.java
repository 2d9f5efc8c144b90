package io.changecast.edge.internal.log;

/** A live subscription; closing it stops delivery. Idempotent. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
