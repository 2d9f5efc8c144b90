package io.changecast.edge.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.Event;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** When a stream waits for the linger's tick, and that it then writes everything in one write. */
class LingerTest {
  private final List<String> writes = new CopyOnWriteArrayList<>();
  private final Linger linger = new Linger(Duration.ofHours(1)); // ticks only when called

  private StreamSession session() {
    StreamSession session =
        new StreamSession(
            "acme",
            Transport.SSE,
            OptionalLong.empty(),
            EventFilter.ALL,
            1000,
            Runnable::run, // drains on the calling thread
            linger,
            new EdgeMetrics(),
            Optional::empty);
    SseFrames.Sink sink =
        (bytes, done) -> {
          writes.add(SseFramesTest.text(bytes));
          done.written(null);
        };
    session.start(new SseFrames(sink, 1000), List.of(), () -> {});
    return session;
  }

  private static Event event(long id) {
    return new Event("acme", id, "{\"n\":" + id + "}");
  }

  @Test
  void aQuietEdgeWritesEveryEventAtOnce() {
    StreamSession session = session();
    session.offer(event(1));
    session.offer(event(2));

    assertThat(writes)
        .containsExactly(
            "retry: 1000\n\n", "id: 1\ndata: {\"n\":1}\n\n", "id: 2\ndata: {\"n\":2}\n\n");
  }

  @Test
  void onABusyEdgeARecentlyWrittenStreamWaitsForTheTickThenWritesOnce() {
    StreamSession session = session(); // one write: the opening
    for (long i = 0; i < Linger.BUSY_WRITES_PER_SECOND * 3600; i++) {
      linger.wrote();
    }
    linger.tick(); // the edge is busy now
    session.offer(event(1));
    session.offer(event(2));
    assertThat(writes).containsExactly("retry: 1000\n\n");

    linger.tick();
    assertThat(writes)
        .containsExactly("retry: 1000\n\n", "id: 1\ndata: {\"n\":1}\n\nid: 2\ndata: {\"n\":2}\n\n");

    linger.tick(); // no writes counted since: quiet again, the next event goes at once
    session.offer(event(3));
    assertThat(writes).hasSize(3).last().isEqualTo("id: 3\ndata: {\"n\":3}\n\n");
  }
}
