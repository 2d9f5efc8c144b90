package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A server-side change stream cursor: a position in the {@link ChangeHistory}, a scope, the event
 * shape options and the pipeline stages that follow {@code $changeStream}.
 *
 * <p>Each batch scans forward from the position. Shaped events wait in a queue until returned, so a
 * batch stops at the requested size or at MongoDB's 16 MB reply limit, even inside the fragments of
 * a split event. The batch's {@code postBatchResumeToken} is the token of its last event while
 * events are still queued, else the history's high-water mark. A drop or rename of the watched
 * collection (a dropDatabase for a database watch) is followed by an {@code invalidate}, after
 * which the cursor is closed.
 */
final class ChangeStreamCursor {

  private static final int SCAN_CHUNK = 256;
  private static final int MAX_BATCH_BYTES = 16 * 1024 * 1024;

  /** A batch of shaped events, the resume token after it, and whether the stream has ended. */
  record Batch(List<Document> events, Document postBatchResumeToken, boolean closed) {}

  /** Where a cursor starts. */
  record Start(long position, ChangeEvent invalidateFirst, int skipFragments) {

    static Start after(long position) {
      return new Start(position, null, 0);
    }
  }

  private final long id;
  private final StreamScope scope;
  private final ChangeHistory history;
  private final EventShaper shaper;
  private final StreamPipeline pipeline;
  private final LargeEvents largeEvents;
  private final Deque<LargeEvents.Sized> queued = new ArrayDeque<>();
  private long position;
  private int skipFragments;
  private boolean invalidated;

  /** The token of the last event returned (or of the start), while events are queued. */
  private Document lastReturned;

  private volatile long lastUsedNanos = System.nanoTime();

  ChangeStreamCursor(
      long id,
      StreamScope scope,
      ChangeHistory history,
      EventShaper shaper,
      StreamPipeline pipeline,
      LargeEvents largeEvents,
      Start start) {
    this.id = id;
    this.scope = scope;
    this.history = history;
    this.shaper = shaper;
    this.pipeline = pipeline;
    this.largeEvents = largeEvents;
    this.position = start.position();
    this.skipFragments = start.skipFragments();
    this.lastReturned = ClusterTime.token(start.position());
    if (start.invalidateFirst() != null) {
      apply(shaper.invalidate(start.invalidateFirst())).forEach(e -> queued.add(sized(e)));
      invalidated = true;
    }
  }

  long id() {
    return id;
  }

  StreamScope scope() {
    return scope;
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  synchronized long position() {
    return position;
  }

  /** The next batch of at most {@code limit} events; never waits. */
  synchronized Batch next(int limit) {
    lastUsedNanos = System.nanoTime();
    List<Document> out = new ArrayList<>();
    long bytes = 0;
    if (limit <= 0 && queued.isEmpty() && !invalidated) {
      history.checkRetained(position);
      return new Batch(out, ClusterTime.token(position), false);
    }
    while (true) {
      while (!queued.isEmpty()) {
        LargeEvents.Sized next = queued.peek();
        if (out.size() >= limit || (!out.isEmpty() && bytes + next.bytes() > MAX_BATCH_BYTES)) {
          return new Batch(out, lastReturned, false);
        }
        queued.poll();
        out.add(next.event());
        bytes += next.bytes();
        lastReturned = (Document) next.event().get("_id");
      }
      if (invalidated) {
        // ends with the invalidate (or where it was, if the pipeline filtered it out)
        return new Batch(out, StreamTokens.invalidate(position), true);
      }
      if (out.size() >= limit) {
        return new Batch(out, lastReturned, false);
      }
      ChangeHistory.Chunk chunk = history.readAfter(position, SCAN_CHUNK);
      for (ChangeEvent event : chunk.events()) {
        position = event.time();
        if (scope.matches(event) && shaper.shows(event)) {
          queued.addAll(split(apply(shaper.shape(event))));
          if (scope.invalidatedBy(event)) {
            apply(shaper.invalidate(event)).forEach(e -> queued.add(sized(e)));
            invalidated = true;
          }
        }
        if (!queued.isEmpty()) {
          break;
        }
      }
      if (queued.isEmpty() && !invalidated && chunk.complete()) {
        position = ClusterTime.max(position, chunk.scannedUpTo());
        return new Batch(out, ClusterTime.token(position), false);
      }
    }
  }

  private static LargeEvents.Sized sized(Document event) {
    return LargeEvents.Sized.of(event);
  }

  private List<LargeEvents.Sized> split(List<Document> events) {
    List<LargeEvents.Sized> result = new ArrayList<>();
    for (Document event : events) {
      List<LargeEvents.Sized> fragments = largeEvents.split(event);
      if (skipFragments > 0) {
        if (skipFragments >= fragments.size()) {
          throw ChangeStreamError.fatal(
              "Attempted to resume from a split event, but the resumed stream produced a"
                  + " different split. Ensure that the pipeline used to resume is the same as the"
                  + " original");
        }
        fragments = fragments.subList(skipFragments, fragments.size());
        skipFragments = 0;
      }
      result.addAll(fragments);
    }
    return result;
  }

  private List<Document> apply(Document event) {
    if (pipeline.isEmpty()) {
      return List.of(event);
    }
    Object token = event.get("_id");
    List<Document> results = pipeline.apply(event).collect(Collectors.toList());
    for (Document result : results) {
      if (!token.equals(result.get("_id"))) {
        throw ChangeStreamError.fatal(
            "Encountered an event whose _id field, which contains the resume token, was modified"
                + " by the pipeline. Modifying the _id field of an event makes it impossible to"
                + " resume the stream from that point. Only transformations that retain the"
                + " unmodified _id field are allowed.");
      }
    }
    return results;
  }
}
