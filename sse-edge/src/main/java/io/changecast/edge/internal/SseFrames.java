package io.changecast.edge.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Server-Sent Events encoding: {@code retry:} on open, {@code id:}/{@code data:} for data events
 * (unnamed), named {@code reset} and {@code overflow} events, heartbeat comments.
 */
final class SseFrames implements Frames {
  private final OutputStream out;
  private final long retryMillis;

  SseFrames(OutputStream out, long retryMillis) {
    this.out = out;
    this.retryMillis = retryMillis;
  }

  @Override
  public void open() throws IOException {
    write("retry: " + retryMillis + "\n\n");
  }

  @Override
  public void data(Event event) throws IOException {
    write("id: " + event.id() + "\ndata: " + event.json() + "\n\n");
  }

  @Override
  public void routerReset(Event event) throws IOException {
    write("event: reset\nid: " + event.id() + "\ndata: " + event.json() + "\n\n");
  }

  @Override
  public void retentionReset(long oldestRetainedId) throws IOException {
    write("event: reset\ndata: " + Frames.retentionResetData(oldestRetainedId) + "\n\n");
  }

  @Override
  public void overflow(long lastSentId) throws IOException {
    write("event: overflow\ndata: " + Frames.overflowData(lastSentId) + "\n\n");
  }

  @Override
  public void heartbeat(Optional<ClusterTime> clusterTime) throws IOException {
    write(
        clusterTime.map(time -> ": heartbeat clusterTime=" + time + "\n").orElse(": heartbeat\n"));
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  private void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }
}
