package io.changecast.edge.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.SharedEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SseFramesTest {

  /** Every write the sink received, as text; completes each at once unless told to hold them. */
  private static final class RecordingSink implements SseFrames.Sink {
    final List<String> writes = new ArrayList<>();
    final List<ByteBuffer> held = new ArrayList<>();
    final List<Throwable> outcomes = new ArrayList<>();
    boolean fail;
    boolean hold;

    @Override
    public void write(ByteBuffer bytes, Frames.Written done) {
      if (fail) {
        done.written(new IOException("connection gone"));
        return;
      }
      if (hold) {
        held.add(bytes);
        return;
      }
      writes.add(text(bytes));
      done.written(null);
    }

    Frames.Written recorder() {
      return outcomes::add;
    }
  }

  /** The bytes as text, without consuming them. */
  static String text(ByteBuffer bytes) {
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return new String(copy, StandardCharsets.UTF_8);
  }

  @Test
  void aDrainsFramesReachTheConnectionInOneWrite() {
    RecordingSink sink = new RecordingSink();
    SseFrames frames = new SseFrames(sink, 1000);

    frames.open();
    frames.data(new Event("acme", 1, "{\"a\":1}"));
    frames.data(new Event("acme", 2, "{\"a\":2}"));
    frames.heartbeat(Optional.empty());
    assertThat(sink.writes).isEmpty();
    frames.flush(sink.recorder());

    assertThat(sink.writes)
        .containsExactly(
            "retry: 1000\n\nid: 1\ndata: {\"a\":1}\n\nid: 2\ndata: {\"a\":2}\n\n: heartbeat\n");
    assertThat(sink.outcomes).containsExactly((Throwable) null);
  }

  @Test
  void theFramesAreFullPastTheBatchSizeSoALongReplayGoesInParts() {
    RecordingSink sink = new RecordingSink();
    SseFrames frames = new SseFrames(sink, 1000);
    String json = "{\"pad\":\"" + "x".repeat(1000) + "\"}";
    int events = 200;
    for (int id = 1; id <= events; id++) {
      frames.data(new Event("acme", id, json));
      if (frames.full()) {
        frames.flush(sink.recorder());
      }
    }
    frames.flush(sink.recorder());

    assertThat(sink.writes).hasSizeGreaterThan(1);
    assertThat(sink.writes)
        .allSatisfy(w -> assertThat(w.length()).isLessThan(SseFrames.MAX_BATCH_BYTES + 1100));
    String all = String.join("", sink.writes);
    assertThat(all.split("\n\n")).hasSize(events);
    assertThat(all).startsWith("id: 1\n").endsWith("id: " + events + "\ndata: " + json + "\n\n");
  }

  @Test
  void aFailedWriteIsToldAndWhatAFailedDrainLeftIsNotWrittenToAnotherStream() {
    RecordingSink broken = new RecordingSink();
    SseFrames failing = new SseFrames(broken, 1000);
    failing.data(new Event("acme", 1, "{\"secret\":1}"));
    broken.fail = true;
    failing.flush(broken.recorder());
    assertThat(broken.outcomes).singleElement().isInstanceOf(IOException.class);
    failing.data(new Event("acme", 2, "{\"secret\":2}")); // left behind: this drain never flushes

    RecordingSink other = new RecordingSink();
    SseFrames next = new SseFrames(other, 1000);
    next.data(new Event("globex", 1, "{\"b\":1}"));
    next.flush(other.recorder());

    assertThat(other.writes).containsExactly("id: 1\ndata: {\"b\":1}\n\n");
  }

  @Test
  void aPendingWriteKeepsItsBytesWhileTheThreadWritesOtherStreams() {
    RecordingSink slow = new RecordingSink();
    slow.hold = true;
    SseFrames pending = new SseFrames(slow, 1000);
    pending.data(new Event("acme", 1, "{\"a\":1}"));
    pending.flush(slow.recorder());
    assertThat(slow.outcomes).isEmpty();

    RecordingSink fast = new RecordingSink();
    SseFrames next = new SseFrames(fast, 1000);
    next.data(new Event("acme", 2, "{\"b\":22222}"));
    next.flush(fast.recorder());

    assertThat(slow.held)
        .singleElement()
        .extracting(SseFramesTest::text)
        .isEqualTo("id: 1\ndata: {\"a\":1}\n\n");
    assertThat(fast.writes).containsExactly("id: 2\ndata: {\"b\":22222}\n\n");
  }

  @Test
  void anEventIsEncodedOnceForAllSubscribersAndACopyAgain() {
    AtomicInteger encoded = new AtomicInteger();
    SharedEncoding<String> encoding =
        new SharedEncoding<>(
            event -> {
              encoded.incrementAndGet();
              return event.id() + ":" + event.json();
            });
    Event live = new Event("acme", 7, "{\"n\":7}");
    for (int subscriber = 0; subscriber < 1000; subscriber++) {
      assertThat(encoding.of(live)).isEqualTo("7:{\"n\":7}");
    }
    assertThat(encoded).hasValue(1);

    // Same tenant and id, another instance (e.g. read back for a replay): encoded from itself.
    Event copy = new Event("acme", 7, "{\"n\":\"other\"}");
    assertThat(encoding.of(copy)).isEqualTo("7:{\"n\":\"other\"}");
    assertThat(encoded).hasValue(2);
  }

  @Test
  void eachLiveEventKeepsItsEncodingsHoweverManyAreInFlight() {
    AtomicInteger frames = new AtomicInteger();
    AtomicInteger lengths = new AtomicInteger();
    SharedEncoding<String> frame =
        new SharedEncoding<>(
            event -> {
              frames.incrementAndGet();
              return "id: " + event.id();
            });
    SharedEncoding<Integer> length =
        new SharedEncoding<>(
            event -> {
              lengths.incrementAndGet();
              return event.json().length();
            });
    // Far more events in flight than any fixed table would hold, each read by 3 subscribers.
    List<Event> inFlight = new ArrayList<>();
    for (int id = 0; id < 20_000; id++) {
      inFlight.add(new Event("acme", id, "{\"n\":" + id + "}"));
    }
    for (int subscriber = 0; subscriber < 3; subscriber++) {
      for (Event event : inFlight) {
        assertThat(frame.of(event)).isEqualTo("id: " + event.id());
        assertThat(length.of(event)).isEqualTo(event.json().length());
      }
    }
    assertThat(frames).hasValue(20_000);
    assertThat(lengths).hasValue(20_000);
  }
}
