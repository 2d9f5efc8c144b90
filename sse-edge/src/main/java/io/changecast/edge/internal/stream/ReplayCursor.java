package io.changecast.edge.internal.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.edge.internal.filter.EventFilter;
import io.changecast.edge.internal.log.Event;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Where one stream stands in its tenant's events, and what each event asks it to write: the
 * snapshot's documents and {@code snapshot-end} first (when the stream opened with one), then the
 * replay, then live events, skipping ids already seen (the subscription is taken before the replay
 * is read, so the handover has no gap, and the skip makes it free of duplicates). Every event
 * passes in id order, filtered or not, so the cursor knows the last id seen: a jump in ids after a
 * resume position means retention dropped events, announced as a reset before the next one. Filters
 * follow {@link EventFilter#matchesChange}; router reset envelopes bypass them. Pure: no I/O, no
 * threads (one writer at a time, see {@link StreamSession}).
 */
final class ReplayCursor {

  /** The documents of a snapshot as of {@code asOf}, sent before the replay (entries as JSON). */
  record Snapshot(long asOf, List<String> entries) {}

  /** The next thing of the backlog (the snapshot, then the replay) to write. */
  sealed interface Backlog {
    /** One snapshot document. */
    record Document(String json) implements Backlog {}

    /** The end of the snapshot: the stream goes on after {@code asOf}. */
    record SnapshotEnd(long asOf) implements Backlog {}

    /** One replayed event, to pass through {@link #next(Event)}. */
    record Replayed(Event event) implements Backlog {}
  }

  /** What one event asks of the stream. */
  enum Kind {
    /** Nothing: sent before, or older than the position resumed from. */
    SEEN,
    /** Nothing: the filter does not pass it. */
    FILTERED,
    /** A router reset envelope: a {@code reset} event. */
    ROUTER_RESET,
    /** A data event. */
    DATA
  }

  /**
   * The step of one event: a retention reset at the event's id first when {@code retentionReset},
   * then what {@code kind} says.
   */
  record Step(boolean retentionReset, Kind kind) {}

  private final EventFilter filter;
  private final Function<Event, List<JsonNode>> versions;
  private Snapshot snapshot; // documents to send before the replay, then null
  private int snapshotSent;
  private List<Event> replay; // null once replayed
  private int replayed;
  private long lastSeenId; // every event, filtered out or not
  private long lastSentId = -1; // the last `id:` written
  private boolean detectGaps;

  /**
   * @param position the id the client resumes after, if any: ids above it are sent, and a jump past
   *     {@code position + 1} is announced as a retention reset
   * @param versions the other versions of an event's document, for the filter rule of filtered
   *     streams (see {@link EventFilter#matchesChange})
   */
  ReplayCursor(
      OptionalLong position, EventFilter filter, Function<Event, List<JsonNode>> versions) {
    this.filter = filter;
    this.versions = versions;
    this.lastSeenId = position.orElse(-1);
    this.detectGaps = position.isPresent();
  }

  /**
   * The backlog: {@code snapshot} (when not null) then {@code replay}. With a snapshot the stream
   * goes on after its {@code asOf}: the replay and the live events up to it are seen.
   */
  void backlog(Snapshot snapshot, List<Event> replay) {
    if (snapshot != null) {
      this.snapshot = snapshot;
      lastSeenId = snapshot.asOf();
      detectGaps = true;
    }
    this.replay = replay;
  }

  /** Whether the snapshot and the replay are all taken. */
  boolean backlogDone() {
    return snapshot == null && replay == null;
  }

  /** The next thing of the backlog; null when it is done. */
  Backlog nextBacklog() {
    if (snapshot != null) {
      if (snapshotSent < snapshot.entries().size()) {
        return new Backlog.Document(snapshot.entries().get(snapshotSent++));
      }
      long asOf = snapshot.asOf();
      snapshot = null;
      lastSentId = asOf;
      return new Backlog.SnapshotEnd(asOf);
    }
    if (replay != null) {
      if (replayed < replay.size()) {
        return new Backlog.Replayed(replay.get(replayed++));
      }
      replay = null;
    }
    return null;
  }

  /** The step of the next event (replayed or live); moves the cursor past it. */
  Step next(Event event) {
    if (event.id() <= lastSeenId) {
      return new Step(false, Kind.SEEN);
    }
    boolean gap = detectGaps && event.id() > lastSeenId + 1;
    detectGaps = true;
    lastSeenId = event.id();
    if (ControlEvents.isReset(event)) {
      lastSentId = event.id();
      return new Step(gap, Kind.ROUTER_RESET);
    }
    if (filter.matchesChange(event.json(), () -> versions.apply(event))) {
      lastSentId = event.id();
      return new Step(gap, Kind.DATA);
    }
    return new Step(gap, Kind.FILTERED);
  }

  /** The id of the last event or snapshot end written; -1 before any. */
  long lastSentId() {
    return lastSentId;
  }
}
