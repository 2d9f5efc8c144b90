package io.changecast.edge.internal.stream;

import io.changecast.edge.internal.log.ClusterTime;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.SharedEncoding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Server-Sent Events encoding: {@code retry:} on open, {@code id:}/{@code data:} for data events
 * (unnamed), named {@code reset} and {@code overflow} events, heartbeat comments.
 *
 * <p>A data event's frame is encoded once per event and shared by every subscriber ({@link
 * SharedEncoding}). The frames of one drain are gathered in the writing thread's batch buffer and
 * handed to the sink in one non-blocking write on {@link #flush}: one syscall per drain however
 * many events it carries, and no buffer held by an idle connection. A write the connection cannot
 * take at once keeps the batch's array until it completes (the thread takes a fresh one).
 */
public final class SseFrames implements Frames {
  /** Bytes gathered before a drain flushes and goes on in a further write (a long replay). */
  static final int MAX_BATCH_BYTES = 64 * 1024;

  private static final int INITIAL_BATCH_BYTES = 8 * 1024;

  private static final SharedEncoding<byte[]> DATA =
      new SharedEncoding<>(event -> utf8("id: " + event.id() + "\ndata: " + event.json() + "\n\n"));

  /** One per writer thread: frames are gathered there between a drain's start and its flush. */
  private static final ThreadLocal<Batch> BATCHES = ThreadLocal.withInitial(Batch::new);

  /**
   * Where a batch goes: {@code done} is told once the bytes are written (or failed), maybe before
   * {@code write} returns; the bytes must not be touched until then.
   */
  @FunctionalInterface
  public interface Sink {
    void write(ByteBuffer bytes, Written done);
  }

  private final Sink out;
  private final long retryMillis;

  public SseFrames(Sink out, long retryMillis) {
    this.out = out;
    this.retryMillis = retryMillis;
  }

  /** A blocking sink: writes and flushes {@code out}, then tells (tests, non-Jetty streams). */
  public static Sink sink(OutputStream out) {
    return (bytes, done) -> {
      try {
        out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        out.flush();
      } catch (IOException | RuntimeException e) {
        done.written(e);
        return;
      }
      done.written(null);
    };
  }

  /**
   * The sink of a Jetty response: its core {@code write} with a callback, the call the servlet
   * output stream makes underneath (it commits the headers on the first write) without its lock,
   * state machine and blocking wait.
   */
  public static Sink sink(Response response) {
    return (bytes, done) -> {
      try {
        response.write(false, bytes, Callback.from(() -> done.written(null), done::written));
      } catch (RuntimeException e) {
        done.written(e);
      }
    };
  }

  @Override
  public void open() {
    append(utf8("retry: " + retryMillis + "\n\n"));
  }

  @Override
  public void data(Event event) {
    append(DATA.of(event));
  }

  @Override
  public void snapshot(String entryJson) {
    append(utf8("event: snapshot\ndata: " + entryJson + "\n\n"));
  }

  @Override
  public void snapshotEnd(long asOf) {
    append(
        utf8(
            "event: snapshot-end\nid: "
                + asOf
                + "\ndata: "
                + Frames.snapshotEndData(asOf)
                + "\n\n"));
  }

  @Override
  public void routerReset(Event event) {
    append(utf8("event: reset\nid: " + event.id() + "\ndata: " + event.json() + "\n\n"));
  }

  @Override
  public void retentionReset(long oldestRetainedId) {
    append(utf8("event: reset\ndata: " + Frames.retentionResetData(oldestRetainedId) + "\n\n"));
  }

  @Override
  public void overflow(long lastSentId) {
    append(utf8("event: overflow\ndata: " + Frames.overflowData(lastSentId) + "\n\n"));
  }

  @Override
  public void heartbeat(Optional<ClusterTime> clusterTime) {
    append(
        utf8(
            clusterTime
                .map(time -> ": heartbeat clusterTime=" + time + "\n")
                .orElse(": heartbeat\n")));
  }

  @Override
  public boolean full() {
    return batch().size >= MAX_BATCH_BYTES;
  }

  /** Writes the gathered frames in one write. */
  @Override
  public void flush(Written done) {
    Batch batch = batch();
    batch.owner = null;
    int size = batch.size;
    batch.size = 0;
    if (size == 0) {
      done.written(null);
      return;
    }
    Once once = new Once(done);
    out.write(ByteBuffer.wrap(batch.bytes, 0, size), once);
    if (!once.told() || batch.bytes.length > 2 * MAX_BATCH_BYTES) {
      // the pending write holds the old array; or a huge frame grew it: not kept per thread
      batch.bytes = new byte[INITIAL_BATCH_BYTES];
    }
  }

  private void append(byte[] bytes) {
    batch().append(bytes);
  }

  /** This thread's batch; what another stream left there (its drain failed) is dropped. */
  private Batch batch() {
    Batch batch = BATCHES.get();
    if (batch.owner != this) {
      batch.owner = this;
      batch.size = 0;
    }
    return batch;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Tells {@code done} once, and knows whether it has. */
  private static final class Once extends AtomicBoolean implements Written {
    private final Written done;

    Once(Written done) {
      this.done = done;
    }

    @Override
    public void written(Throwable failure) {
      if (compareAndSet(false, true)) {
        done.written(failure);
      }
    }

    boolean told() {
      return get();
    }
  }

  /** A growable byte buffer, owned by the stream being drained on its thread. */
  private static final class Batch {
    private byte[] bytes = new byte[INITIAL_BATCH_BYTES];
    private int size;
    private SseFrames owner;

    void append(byte[] more) {
      if (size + more.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(size + more.length, 2 * bytes.length));
      }
      System.arraycopy(more, 0, bytes, size, more.length);
      size += more.length;
    }
  }
}
