package io.changecast.edge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.edge.internal.filter.EventFilter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The tenant's feed: each event handed over once, read by every stream of the tenant. */
class TenantFeedTest {
  /** Holds tasks until {@link #runAll}, counting them. */
  private static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    int submitted;

    @Override
    public void execute(Runnable task) {
      submitted++;
      tasks.add(task);
    }

    void runAll() {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        task.run();
      }
    }
  }

  private final ManualExecutor writer = new ManualExecutor();

  private StreamSession stream(TenantFeed feed, int capacity, List<String> writes) {
    StreamSession session =
        new StreamSession(
            "acme",
            Transport.SSE,
            OptionalLong.empty(),
            EventFilter.ALL,
            capacity,
            writer,
            Linger.OFF,
            new EdgeMetrics(),
            Optional::empty);
    session.follow(feed, feed.join(session));
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
  void theEventsOfABurstCostOneWriterTaskPerShareAndEveryStreamWritesThemOnce() {
    TenantFeed feed = new TenantFeed(100, writer, 2);
    List<List<String>> writes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      writes.add(new CopyOnWriteArrayList<>());
      stream(feed, 100, writes.get(i));
    }
    writer.runAll(); // the openings
    writer.submitted = 0;

    for (long id = 1; id <= 3; id++) {
      feed.accept(event(id));
    }
    assertThat(writer.submitted).isEqualTo(2); // one walk per share, not one task per stream
    writer.runAll();

    for (List<String> stream : writes) {
      assertThat(stream)
          .containsExactly(
              "retry: 1000\n\n",
              "id: 1\ndata: {\"n\":1}\n\nid: 2\ndata: {\"n\":2}\n\nid: 3\ndata: {\"n\":3}\n\n");
    }
  }

  @Test
  void aStreamThatJoinsLaterReadsFromTheNextEventAndALeftOneIsNotWoken() {
    TenantFeed feed = new TenantFeed(100, writer, 2);
    List<String> early = new CopyOnWriteArrayList<>();
    StreamSession first = stream(feed, 100, early);
    feed.accept(event(1));
    List<String> late = new CopyOnWriteArrayList<>();
    stream(feed, 100, late);
    feed.accept(event(2));
    writer.runAll();
    assertThat(String.join("", early)).contains("id: 1\n", "id: 2\n");
    assertThat(String.join("", late)).doesNotContain("id: 1\n").contains("id: 2\n");

    assertThat(feed.leave(first)).isFalse();
    feed.accept(event(3));
    writer.runAll();
    assertThat(String.join("", early)).doesNotContain("id: 3\n");
    assertThat(String.join("", late)).contains("id: 3\n");
  }

  @Test
  void aStreamFurtherBehindThanTheRingOverflowsInsteadOfSkipping() throws Exception {
    TenantFeed feed = new TenantFeed(4, writer, 1);
    List<String> writes = new CopyOnWriteArrayList<>();
    StreamSession session =
        new StreamSession(
            "acme",
            Transport.SSE,
            OptionalLong.empty(),
            EventFilter.ALL,
            4,
            writer,
            Linger.OFF,
            new EdgeMetrics(),
            Optional::empty);
    session.follow(feed, feed.join(session));
    for (long id = 1; id <= 20; id++) {
      feed.accept(event(id)); // not started yet: nothing is read, the ring laps it
    }
    session.start(
        new SseFrames(
            (bytes, done) -> {
              writes.add(SseFramesTest.text(bytes));
              done.written(null);
            },
            1000),
        List.of(),
        () -> {});
    writer.runAll();

    assertThat(session.done().get()).isEqualTo(StreamSession.CloseReason.OVERFLOW);
    assertThat(String.join("", writes))
        .doesNotContain("id: ")
        .endsWith("event: overflow\ndata: {\"reason\":\"slow-client\",\"lastEventId\":null}\n\n");
  }

  @Test
  void theHubHandsAListenerSubscribedSeveralTimesEachEventOnce() {
    EventHub hub = new EventHub();
    List<Long> seen = new CopyOnWriteArrayList<>();
    java.util.function.Consumer<Event> listener = event -> seen.add(event.id());
    Subscription one = hub.subscribe("acme", listener);
    Subscription two = hub.subscribe("acme", listener);
    assertThat(hub.subscriberCount()).isEqualTo(2);
    hub.publish(event(1));
    one.close();
    one.close(); // idempotent: the other subscription stays
    assertThat(hub.subscriberCount()).isEqualTo(1);
    hub.publish(event(2));
    two.close();
    assertThat(hub.subscriberCount()).isZero();
    hub.publish(event(3));

    assertThat(seen).containsExactly(1L, 2L);
  }
}
