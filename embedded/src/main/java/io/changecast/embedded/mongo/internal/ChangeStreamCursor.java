package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A server-side change stream cursor: a position in the {@link ChangeHistory}, a scope, the event
 * shape options and the pipeline stages that follow {@code $changeStream}.
 *
 * <p>Each batch scans forward from the position; the position then stands at the last returned
 * event (when the batch filled up) or at the history's high-water mark, and is reported as the
 * batch's {@code postBatchResumeToken}.
 */
final class ChangeStreamCursor {

  private static final int SCAN_CHUNK = 256;

  /** A batch of shaped events and the resume token after it. */
  record Batch(List<Document> events, Document postBatchResumeToken) {}

  private final long id;
  private final StreamScope scope;
  private final ChangeHistory history;
  private final EventShaper shaper;
  private final Aggregation pipeline;
  private long position;
  private volatile long lastUsedNanos = System.nanoTime();

  ChangeStreamCursor(
      long id,
      StreamScope scope,
      ChangeHistory history,
      EventShaper shaper,
      Aggregation pipeline,
      long position) {
    this.id = id;
    this.scope = scope;
    this.history = history;
    this.shaper = shaper;
    this.pipeline = pipeline;
    this.position = position;
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
    if (limit <= 0) {
      history.checkRetained(position);
      return new Batch(out, ClusterTime.token(position));
    }
    while (true) {
      ChangeHistory.Chunk chunk = history.readAfter(position, SCAN_CHUNK);
      for (ChangeEvent event : chunk.events()) {
        if (scope.matches(event)) {
          out.addAll(apply(shaper.shape(event)));
        }
        position = event.time();
        if (out.size() >= limit) {
          return new Batch(out, ClusterTime.token(position));
        }
      }
      if (chunk.complete()) {
        position = ClusterTime.max(position, chunk.scannedUpTo());
        return new Batch(out, ClusterTime.token(position));
      }
    }
  }

  private List<Document> apply(Document event) {
    if (pipeline == null) {
      return List.of(event);
    }
    Object token = event.get("_id");
    List<Document> results =
        pipeline.runStagesAsStream(Stream.of(event)).collect(Collectors.toList());
    for (Document result : results) {
      if (!token.equals(result.get("_id"))) {
        throw new MongoServerError(
            280,
            "ChangeStreamFatalError",
            "Encountered an event whose _id field, which contains the resume token, was modified"
                + " by the pipeline. Modifying the _id field of an event makes it impossible to"
                + " resume the stream from that point. Only transformations that retain the"
                + " unmodified _id field are allowed.");
      }
    }
    return results;
  }
}
