package io.changecast.edge.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Write coalescing for a busy edge ({@code sse.linger.ms}). A write costs about the same CPU
 * whatever it carries, so while the edge writes more than {@link #BUSY_WRITES_PER_SECOND} times a
 * second, a stream written less than one linger ago does not drain at once: it waits for the next
 * tick (every linger), and then writes everything queued meanwhile in one write (the tick hands the
 * waiting streams to the writer threads, one task per thread). Each subscriber then gets about one
 * write per linger however fast its tenant's events come. On a quiet edge, or for a stream's first
 * event after a pause, nothing waits.
 */
final class Linger {
  /** Edge-wide writes per second above which busy streams linger. */
  static final long BUSY_WRITES_PER_SECOND = 10_000;

  /** No lingering: every drain is scheduled at once. */
  static final Linger OFF = new Linger(Duration.ZERO);

  private final long nanos;
  private final Executor writer;
  private final int parallelism;
  private final long busyWritesPerTick;
  private final LongAdder writes = new LongAdder();
  private final Queue<StreamSession> waiting = new ConcurrentLinkedQueue<>();
  private volatile boolean busy;

  /** A linger whose tick drains the waiting streams on the calling thread (tests). */
  Linger(Duration linger) {
    this(linger, Runnable::run, 1);
  }

  /**
   * @param writer the writer threads the tick hands the waiting streams to
   * @param parallelism how many tasks the tick splits them into (the writer threads)
   */
  Linger(Duration linger, Executor writer, int parallelism) {
    this.nanos = linger.toNanos();
    this.writer = writer;
    this.parallelism = Math.max(1, parallelism);
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
   * Called every linger: re-reads how busy the edge is and starts the waiting drains, split into
   * one task per writer thread.
   */
  void tick() {
    busy = writes.sumThenReset() >= busyWritesPerTick;
    List<StreamSession> due = new ArrayList<>();
    StreamSession session;
    while ((session = waiting.poll()) != null) {
      due.add(session);
    }
    int tasks = Math.min(parallelism, due.size());
    for (int task = 0; task < tasks; task++) {
      List<StreamSession> part =
          due.subList(due.size() * task / tasks, due.size() * (task + 1) / tasks);
      try {
        writer.execute(() -> part.forEach(StreamSession::drainHere));
      } catch (RejectedExecutionException shuttingDown) {
        part.forEach(StreamSession::drainNow); // refused as well: each closes
      }
    }
  }
}
