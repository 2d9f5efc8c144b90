package io.changecast.edge.internal.http;

import static org.awaitility.Awaitility.await;

import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.InMemoryEventLog;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * Appends a tenant's events 1, 2, 3… on its own thread without pause, except that every {@code
 * every} events it waits until {@code seen} (what the clients have received) is within {@code
 * window} events of it: events keep flowing while clients connect, and tests stay small.
 */
final class PacedWriter implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong appended = new AtomicLong();
  private final Thread thread;

  PacedWriter(
      InMemoryEventLog log,
      String tenant,
      LongFunction<String> envelope,
      int every,
      int window,
      LongSupplier seen) {
    thread =
        new Thread(
            () -> {
              for (long id = 1; !stop.get(); id++) {
                log.append(new Event(tenant, id, envelope.apply(id)));
                appended.set(id);
                if (id % every == 0) {
                  long target = id - window;
                  await()
                      .atMost(WAIT)
                      .pollInterval(Duration.ofMillis(1))
                      .until(() -> stop.get() || seen.getAsLong() >= target);
                }
              }
            },
            "test-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** The last id appended. */
  long appended() {
    return appended.get();
  }

  /** Stops appending and waits for the thread; {@link #appended} is then final. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(WAIT.toMillis());
  }
}
