package io.changecast.edge.internal;

import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The live events of one tenant for all of its open streams: the publishing thread hands each event
 * over once ({@link #accept}: one slot of a ring, then at most one writer task per share), and each
 * stream reads the ring from its own cursor when it drains. The streams are split into shares, one
 * per writer thread; a share's task wakes each of its streams in turn, so the cost of a tenant's
 * subscribers is spread over the writers instead of falling on the publishing thread.
 *
 * <p>The ring keeps at least the newest {@code capacity} events (a power of two above it, at most
 * {@value #MAX_RING}); a stream further behind has overflowed (its bound), and a slot overwritten
 * under a slow reader is recognised by its sequence number. Sequence numbers count the events
 * handed to this feed, not event ids.
 */
final class TenantFeed implements Consumer<Event> {
  /** Largest ring: a larger capacity is bounded by the ring (a stream further behind overflows). */
  static final int MAX_RING = 1 << 20;

  private record Slot(long seq, Event event) {}

  private final Slot[] ring;
  private final int mask;
  private final Share[] shares;
  private volatile long published; // events accepted so far; written by the publishing thread

  /**
   * @param capacity events a stream may fall behind before it overflows
   * @param writer the writer threads that wake the streams
   * @param parallelism the number of shares (the writer threads)
   */
  TenantFeed(int capacity, Executor writer, int parallelism) {
    this.ring = new Slot[Integer.highestOneBit(Math.min(Math.max(1, capacity), MAX_RING / 2)) << 1];
    this.mask = ring.length - 1;
    this.shares = new Share[Math.max(1, parallelism)];
    for (int i = 0; i < shares.length; i++) {
      shares[i] = new Share(writer);
    }
  }

  /**
   * Appends a live event and wakes the streams (the publishing thread, one event at a time in id
   * order; never blocks).
   */
  @Override
  public void accept(Event event) {
    long seq = published;
    ring[(int) seq & mask] = new Slot(seq, event);
    published = seq + 1;
    for (Share share : shares) {
      share.signal();
    }
  }

  /** Sequence number of the next event to be accepted. */
  long published() {
    return published;
  }

  /** The event of sequence {@code seq}, or null when it was overwritten (or is not there yet). */
  Event at(long seq) {
    Slot slot = ring[(int) seq & mask];
    return slot != null && slot.seq() == seq ? slot.event() : null;
  }

  /**
   * Adds a stream to the share with the fewest; it reads from the returned sequence number (the
   * next event accepted) on.
   */
  synchronized long join(StreamSession session) {
    Share smallest = shares[0];
    for (Share share : shares) {
      if (share.members.length < smallest.members.length) {
        smallest = share;
      }
    }
    smallest.add(session);
    return published;
  }

  /** Removes a stream; returns whether the feed has none left. */
  synchronized boolean leave(StreamSession session) {
    boolean empty = true;
    for (Share share : shares) {
      share.remove(session);
      empty &= share.members.length == 0;
    }
    return empty;
  }

  /** Some of the tenant's streams, woken by one writer task per batch of new events. */
  private static final class Share implements Runnable {
    private final Executor writer;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile StreamSession[] members = new StreamSession[0];

    Share(Executor writer) {
      this.writer = writer;
    }

    void add(StreamSession session) {
      StreamSession[] more = Arrays.copyOf(members, members.length + 1);
      more[members.length] = session;
      members = more;
    }

    void remove(StreamSession session) {
      StreamSession[] current = members;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == session) {
          StreamSession[] fewer = new StreamSession[current.length - 1];
          System.arraycopy(current, 0, fewer, 0, i);
          System.arraycopy(current, i + 1, fewer, i, current.length - i - 1);
          members = fewer;
          return;
        }
      }
    }

    /** Schedules a walk unless one is pending (it will see the new event: it clears first). */
    void signal() {
      if (members.length > 0 && !pending.get() && pending.compareAndSet(false, true)) {
        try {
          writer.execute(this);
        } catch (RejectedExecutionException shuttingDown) {
          pending.set(false);
        }
      }
    }

    @Override
    public void run() {
      pending.set(false);
      for (StreamSession session : members) {
        session.wake();
      }
    }
  }
}
