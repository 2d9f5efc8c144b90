package io.changecast.edge.internal.stream;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Write coalescing for a busy edge ({@code sse.linger.ms}). A write costs about the same CPU
 * whatever it carries, so while the edge writes more than {@link #BUSY_WRITES_PER_SECOND} times a
 * second, a stream written less than one linger ago does not drain at once: it waits for the next
 * tick (every linger), and then writes everything queued meanwhile in one write. Each subscriber
 * then gets about one write per linger however fast its tenant's events come. On a quiet edge, or
 * for a stream's first event after a pause, nothing waits.
 */
final class Linger {
  /** Edge-wide writes per second above which busy streams linger. */
  static final long BUSY_WRITES_PER_SECOND = 10_000;

  /** No lingering: every drain is scheduled at once. */
  static final Linger OFF = new Linger(Duration.ZERO);

  private final long nanos;
  private final long busyWritesPerTick;
  private final LongAdder writes = new LongAdder();
  private final Queue<StreamSession> waiting = new ConcurrentLinkedQueue<>();
  private volatile boolean busy;

  Linger(Duration linger) {
    this.nanos = linger.toNanos();
    this.busyWritesPerTick = Math.max(1, BUSY_WRITES_PER_SECOND * nanos / 1_000_000_000L);
  }

  /** Counts one write of a stream. */
  void wrote() {
    if (nanos > 0) {
      writes.increment();
    }
  }

  /**
   * Whether the drain of {@code session}, last written at {@code lastWriteNanos}, waits for the
   * next tick; if so it is queued for it.
   */
  boolean defer(StreamSession session, long lastWriteNanos) {
    if (nanos == 0 || !busy || System.nanoTime() - lastWriteNanos >= nanos) {
      return false;
    }
    waiting.add(session);
    return true;
  }

  /**
   * Called every {@link #interval}: re-reads how busy the edge is and starts the waiting drains.
   */
  void tick() {
    busy = writes.sumThenReset() >= busyWritesPerTick;
    StreamSession session;
    while ((session = waiting.poll()) != null) {
      session.drainNow();
    }
  }
}
