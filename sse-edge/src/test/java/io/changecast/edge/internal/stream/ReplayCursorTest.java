package io.changecast.edge.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.contract.ControlTypes;
import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.stream.ReplayCursor.Backlog;
import io.changecast.edge.internal.stream.ReplayCursor.Kind;
import io.changecast.edge.internal.stream.ReplayCursor.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The stream's position and decisions, without a connection or a thread. */
class ReplayCursorTest {

  private static Event event(long id, String type) {
    return new Event(
        "acme", id, "{\"id\":\"" + id + "\",\"tenant\":\"acme\",\"type\":\"" + type + "\"}");
  }

  private static ReplayCursor cursor(OptionalLong position, EventFilter filter) {
    return new ReplayCursor(position, filter, e -> List.of());
  }

  /** Takes the whole backlog, each replayed event through {@link ReplayCursor#next}. */
  private static List<Object> drain(ReplayCursor cursor) {
    List<Object> taken = new ArrayList<>();
    Backlog next;
    while ((next = cursor.nextBacklog()) != null) {
      taken.add(next instanceof Backlog.Replayed r ? cursor.next(r.event()) : next);
    }
    return taken;
  }

  @Test
  void aLiveEventAlreadyReplayedIsSeenSoTheHandoverHasNoDuplicate() {
    ReplayCursor cursor = cursor(OptionalLong.empty(), EventFilter.ALL);
    cursor.backlog(null, List.of(event(1, "a"), event(2, "a")));

    assertThat(drain(cursor))
        .containsExactly(new Step(false, Kind.DATA), new Step(false, Kind.DATA));
    assertThat(cursor.backlogDone()).isTrue();
    assertThat(cursor.next(event(2, "a"))).isEqualTo(new Step(false, Kind.SEEN));
    assertThat(cursor.next(event(3, "a"))).isEqualTo(new Step(false, Kind.DATA));
    assertThat(cursor.lastSentId()).isEqualTo(3);
  }

  @Test
  void aJumpPastTheResumePositionIsARetentionResetBeforeTheNextEventFilteredOrNot() {
    ReplayCursor cursor = cursor(OptionalLong.of(4), EventFilter.parse("b", null));
    cursor.backlog(null, List.of(event(4, "b"), event(7, "a"), event(8, "b")));

    assertThat(drain(cursor))
        .containsExactly(
            new Step(false, Kind.SEEN), new Step(true, Kind.FILTERED), new Step(false, Kind.DATA));
    assertThat(cursor.lastSentId()).isEqualTo(8);
  }

  @Test
  void withoutAResumePositionTheFirstEventIsNoGap() {
    ReplayCursor cursor = cursor(OptionalLong.empty(), EventFilter.ALL);

    assertThat(cursor.next(event(40, "a"))).isEqualTo(new Step(false, Kind.DATA));
    assertThat(cursor.next(event(42, "a"))).isEqualTo(new Step(true, Kind.DATA));
  }

  @Test
  void aRouterResetBypassesTheFilter() {
    ReplayCursor cursor = cursor(OptionalLong.empty(), EventFilter.parse("b", null));

    assertThat(cursor.next(event(1, ControlTypes.RESET)))
        .isEqualTo(new Step(false, Kind.ROUTER_RESET));
    assertThat(cursor.lastSentId()).isEqualTo(1);
  }

  @Test
  void aSnapshotComesFirstThenTheStreamGoesOnAfterItsId() {
    ReplayCursor cursor = cursor(OptionalLong.empty(), EventFilter.ALL);
    cursor.backlog(
        new ReplayCursor.Snapshot(5, List.of("{\"_id\":1}", "{\"_id\":2}")),
        List.of(event(5, "a"), event(6, "a")));

    assertThat(drain(cursor))
        .containsExactly(
            new Backlog.Document("{\"_id\":1}"),
            new Backlog.Document("{\"_id\":2}"),
            new Backlog.SnapshotEnd(5),
            new Step(false, Kind.SEEN),
            new Step(false, Kind.DATA));
    assertThat(cursor.next(event(9, "a"))).isEqualTo(new Step(true, Kind.DATA));
  }

  @Test
  void anEmptySnapshotStillEndsAndSetsTheLastIdSent() {
    ReplayCursor cursor = cursor(OptionalLong.empty(), EventFilter.ALL);
    cursor.backlog(new ReplayCursor.Snapshot(12, List.of()), List.of());

    assertThat(cursor.backlogDone()).isFalse();
    assertThat(drain(cursor)).containsExactly(new Backlog.SnapshotEnd(12));
    assertThat(cursor.lastSentId()).isEqualTo(12);
    assertThat(cursor.backlogDone()).isTrue();
  }
}
