package io.changecast.edge.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.HttpOutput;

/**
 * Server-Sent Events encoding: {@code retry:} on open, {@code id:}/{@code data:} for data events
 * (unnamed), named {@code reset} and {@code overflow} events, heartbeat comments.
 *
 * <p>A data event's frame is encoded once per event and shared by every subscriber ({@link
 * SharedEncoding}). The frames of one drain are gathered in the writing thread's batch buffer and
 * handed to the response in one write on {@link #flush} (in parts of {@link #MAX_BATCH_BYTES} for a
 * long replay): one syscall per drain however many events it carries, and no per-connection buffer.
 * {@code out} must write through: writes of more than one byte must not wait in a buffer (see
 * {@link EventsHandler}, which sets the response's buffer to its minimum).
 */
final class SseFrames implements Frames {
  /** Bytes gathered before they are written even before the flush (a long replay). */
  static final int MAX_BATCH_BYTES = 64 * 1024;

  private static final SharedEncoding<byte[]> DATA =
      new SharedEncoding<>(event -> utf8("id: " + event.id() + "\ndata: " + event.json() + "\n\n"));

  /** One per writer thread: frames are gathered there between a drain's writes and its flush. */
  private static final ThreadLocal<Batch> BATCHES = ThreadLocal.withInitial(Batch::new);

  /** Where a batch goes: written and on its way to the client when this returns. */
  @FunctionalInterface
  interface Sink {
    void write(ByteBuffer bytes) throws IOException;
  }

  private final Sink out;
  private final long retryMillis;

  SseFrames(Sink out, long retryMillis) {
    this.out = out;
    this.retryMillis = retryMillis;
  }

  /** The sink of a response's output stream: Jetty's direct write, else write and flush. */
  static Sink sink(OutputStream out) {
    if (out instanceof HttpOutput jetty) {
      return jetty::write;
    }
    return bytes -> {
      out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
      out.flush();
    };
  }

  @Override
  public void open() throws IOException {
    write(utf8("retry: " + retryMillis + "\n\n"));
  }

  @Override
  public void data(Event event) throws IOException {
    write(DATA.of(event));
  }

  @Override
  public void routerReset(Event event) throws IOException {
    write(utf8("event: reset\nid: " + event.id() + "\ndata: " + event.json() + "\n\n"));
  }

  @Override
  public void retentionReset(long oldestRetainedId) throws IOException {
    write(utf8("event: reset\ndata: " + Frames.retentionResetData(oldestRetainedId) + "\n\n"));
  }

  @Override
  public void overflow(long lastSentId) throws IOException {
    write(utf8("event: overflow\ndata: " + Frames.overflowData(lastSentId) + "\n\n"));
  }

  @Override
  public void heartbeat(Optional<ClusterTime> clusterTime) throws IOException {
    write(
        utf8(
            clusterTime
                .map(time -> ": heartbeat clusterTime=" + time + "\n")
                .orElse(": heartbeat\n")));
  }

  /** Writes the gathered frames in one write. */
  @Override
  public void flush() throws IOException {
    Batch batch = batch();
    try {
      writeOut(batch);
    } finally {
      batch.owner = null;
    }
  }

  private void write(byte[] bytes) throws IOException {
    Batch batch = batch();
    if (batch.size + bytes.length > MAX_BATCH_BYTES) {
      writeOut(batch);
      if (bytes.length > MAX_BATCH_BYTES) {
        out.write(ByteBuffer.wrap(bytes));
        return;
      }
    }
    batch.append(bytes);
  }

  private void writeOut(Batch batch) throws IOException {
    if (batch.size > 0) {
      try {
        out.write(ByteBuffer.wrap(batch.bytes, 0, batch.size));
      } finally {
        batch.size = 0;
      }
    }
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

  /** A growable byte buffer, owned by the stream being drained on its thread. */
  private static final class Batch {
    private byte[] bytes = new byte[8 * 1024];
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
