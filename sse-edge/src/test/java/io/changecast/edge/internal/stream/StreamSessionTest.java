package io.changecast.edge.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded queue and the stalled-write cut of one session, with a gated output stream. */
class StreamSessionTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ExecutorService writer = Executors.newSingleThreadExecutor();
  private final EdgeMetrics metrics = new EdgeMetrics();
  private final GatedOutput out = new GatedOutput();

  @AfterEach
  void stop() {
    out.open();
    writer.shutdownNow();
  }

  private StreamSession session(int capacity) {
    return new StreamSession(
        "acme",
        Transport.SSE,
        OptionalLong.empty(),
        EventFilter.ALL,
        capacity,
        writer,
        Linger.OFF,
        metrics,
        Optional::empty);
  }

  private static Event event(long id) {
    return new Event("acme", id, "{\"id\":\"" + id + "\"}");
  }

  @Test
  void overflowEndsTheStreamWithAFinalEventNamingTheLastIdSent() throws Exception {
    StreamSession session = session(3);
    session.start(new SseFrames(SseFrames.sink(out), 1000), List.of(), () -> {});
    session.offer(event(1));
    session.offer(event(2));
    await().atMost(WAIT).until(() -> out.text().contains("id: 2\n"));

    out.block();
    session.heartbeat(); // the drain now blocks writing it
    assertThat(out.blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    for (long id = 3; id <= 6; id++) {
      session.offer(event(id)); // the 4th queued event passes the bound
    }
    out.open();

    session.done().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(out.text())
        .doesNotContain("id: 3")
        .endsWith("event: overflow\ndata: {\"reason\":\"slow-client\",\"lastEventId\":\"2\"}\n\n");
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_slow_client_disconnects_total{transport=\"sse\"} 1.0");
  }

  @Test
  void aWriteBlockedLongerThanTheTimeoutIsCut() throws Exception {
    StreamSession session = session(1000);
    AtomicBoolean aborted = new AtomicBoolean();
    session.start(
        new SseFrames(SseFrames.sink(out), 1000),
        List.of(),
        () -> {
          aborted.set(true);
          out.fail();
        });
    await().atMost(WAIT).until(() -> out.text().startsWith("retry: 1000"));
    out.block();
    session.offer(event(1));
    assertThat(out.blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    long timeout = Duration.ofSeconds(5).toNanos();
    assertThat(session.cutIfStalled(System.nanoTime(), timeout, timeout)).isFalse();
    assertThat(session.cutIfStalled(System.nanoTime() + 2 * timeout, timeout, timeout)).isTrue();

    assertThat(aborted).isTrue();
    assertThat(session.isClosed()).isTrue();
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_slow_client_disconnects_total{transport=\"sse\"} 1.0");
  }

  @Test
  void aPendingWriteHoldsNoThreadTheNextDrainWaitsForItAndAStuckOneIsCut() throws Exception {
    StreamSession session = session(1000);
    List<String> writes = new CopyOnWriteArrayList<>();
    BlockingQueue<Frames.Written> pending = new LinkedBlockingQueue<>();
    SseFrames.Sink holding =
        (bytes, done) -> {
          writes.add(SseFramesTest.text(bytes));
          pending.add(done);
        };
    AtomicBoolean aborted = new AtomicBoolean();
    session.start(new SseFrames(holding, 1000), List.of(), () -> aborted.set(true));
    Frames.Written opening = pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(writes).containsExactly("retry: 1000\n\n");

    session.offer(event(1));
    session.offer(event(2));
    CountDownLatch free = new CountDownLatch(1);
    writer.execute(free::countDown); // the only writer thread is not held by the pending write
    assertThat(free.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(writes).hasSize(1); // nothing more until the write completes

    opening.written(null);
    Frames.Written second = pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(writes)
        .containsExactly(
            "retry: 1000\n\n", "id: 1\ndata: {\"id\":\"1\"}\n\nid: 2\ndata: {\"id\":\"2\"}\n\n");
    assertThat(second).isNotNull();

    long timeout = Duration.ofSeconds(5).toNanos();
    assertThat(session.cutIfStalled(System.nanoTime(), timeout, timeout)).isFalse();
    assertThat(session.cutIfStalled(System.nanoTime() + 2 * timeout, timeout, timeout)).isTrue();
    assertThat(aborted).isTrue();
    assertThat(session.done().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(StreamSession.CloseReason.STALLED);
    second.written(new IOException("connection aborted")); // the aborted write fails afterwards
    assertThat(session.isClosed()).isTrue();
  }

  @Test
  void drainsAreCountedOncePerWriteDoneAndEventsQueuedMeanwhileGoInOne() throws Exception {
    StreamSession session = session(1000);
    List<String> writes = new CopyOnWriteArrayList<>();
    BlockingQueue<Frames.Written> pending = new LinkedBlockingQueue<>();
    SseFrames.Sink holding =
        (bytes, done) -> {
          writes.add(SseFramesTest.text(bytes));
          pending.add(done);
        };
    session.start(new SseFrames(holding, 1000), List.of(), () -> {});
    pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS).written(null); // the opening
    session.offer(event(1));
    Frames.Written first = pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    session.offer(event(2)); // queued while the first event's write is pending
    session.offer(event(3));
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_drains_total{transport=\"sse\"} 1.0");

    first.written(null);
    pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS).written(null);

    assertThat(writes).hasSize(3);
    assertThat(writes.get(2)).contains("id: 2\n").contains("id: 3\n");
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_drains_total{transport=\"sse\"} 3.0")
        .contains("changecast_edge_sse_events_sent_total{transport=\"sse\"} 3.0");
  }

  @Test
  void aFailedWriteIsNoDrainDone() throws Exception {
    StreamSession session = session(1000);
    BlockingQueue<Frames.Written> pending = new LinkedBlockingQueue<>();
    session.start(new SseFrames((bytes, done) -> pending.add(done), 1000), List.of(), () -> {});
    pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS).written(new IOException("reset by peer"));

    assertThat(session.done().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(StreamSession.CloseReason.ENDED);
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_drains_total{transport=\"sse\"} 0.0");
  }

  @Test
  void overWebSocketTheSameOverflowIsAFinalJsonMessageAndTheReasonIsOverflow() throws Exception {
    StreamSession session =
        new StreamSession(
            "acme",
            Transport.WS,
            OptionalLong.empty(),
            EventFilter.ALL,
            3,
            writer,
            Linger.OFF,
            metrics,
            Optional::empty);
    WsFrames frames =
        new WsFrames(
            (text, done) -> {
              try {
                out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
              } catch (IOException e) {
                done.written(e);
                return;
              }
              done.written(null);
            });
    session.start(frames, List.of(), () -> {});
    session.offer(new Event("acme", 1, "{\"id\":\"1\",\"type\":\"orders.created\"}"));
    await().atMost(WAIT).until(() -> out.text().contains("\"id\":\"1\""));

    out.block();
    session.heartbeat();
    assertThat(out.blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    for (long id = 2; id <= 5; id++) {
      session.offer(event(id));
    }
    out.open();

    assertThat(session.done().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(StreamSession.CloseReason.OVERFLOW);
    assertThat(out.text())
        .startsWith(
            "{\"id\":\"1\",\"event\":\"orders.created\",\"data\":"
                + "{\"id\":\"1\",\"type\":\"orders.created\"}}\n"
                + "{\"event\":\"heartbeat\",\"data\":{}}\n")
        .endsWith(
            "{\"event\":\"overflow\",\"data\":{\"reason\":\"slow-client\",\"lastEventId\":\"1\"}}\n");
    assertThat(metrics.scrape())
        .contains("changecast_edge_sse_slow_client_disconnects_total{transport=\"ws\"} 1.0");
  }

  @Test
  void theWebSocketEventNameIsTheEnvelopeType() {
    assertThat(WsFrames.type("{\"id\":\"1\",\"document\":{\"type\":\"x\"},\"type\":\"a.b\"}"))
        .isEqualTo("a.b");
    assertThat(WsFrames.type("{\"id\":\"1\",\"type\":7}")).isEqualTo("message");
    assertThat(WsFrames.type("{\"id\":\"1\"}")).isEqualTo("message");
    assertThat(WsFrames.message(7, "q\"uote", "{}"))
        .isEqualTo("{\"id\":\"7\",\"event\":\"q\\\"uote\",\"data\":{}}");
  }

  /** Records bytes; when blocked, a write waits until opened again (or fails). */
  private static final class GatedOutput extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Object lock = new Object();
    private boolean gate;
    private boolean failed;
    final CountDownLatch blocked = new CountDownLatch(1);

    void block() {
      synchronized (lock) {
        gate = true;
      }
    }

    void open() {
      synchronized (lock) {
        gate = false;
        lock.notifyAll();
      }
    }

    void fail() {
      synchronized (lock) {
        failed = true;
        lock.notifyAll();
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
      synchronized (lock) {
        while (gate && !failed) {
          blocked.countDown();
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
        if (failed) {
          throw new IOException("connection aborted");
        }
      }
      synchronized (bytes) {
        bytes.write(data, offset, length);
      }
    }
  }
}
