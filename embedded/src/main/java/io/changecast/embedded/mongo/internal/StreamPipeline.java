package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.aggregation.Expression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The stages that follow {@code $changeStream}, checked as MongoDB 7.0 checks them: an unknown
 * stage is error 40324, a known one a change stream does not allow is error 20 (IllegalOperation),
 * {@code $changeStreamSplitLargeEvent} must come last. Stages run on mongo-java-server's
 * aggregation, except that a {@code $project} computing a dotted path ({@code "a.b": "$x"}) sets
 * the nested field, as MongoDB does, instead of a key with a dot.
 */
final class StreamPipeline {

  private static final Set<String> ALLOWED =
      Set.of(
          "$match",
          "$project",
          "$addFields",
          "$set",
          "$unset",
          "$replaceRoot",
          "$replaceWith",
          "$redact",
          LargeEvents.STAGE);

  /** MongoDB 7.0's other stage names: known, but not allowed after {@code $changeStream}. */
  private static final Set<String> KNOWN =
      Set.of(
          "$bucket",
          "$bucketAuto",
          "$changeStream",
          "$collStats",
          "$count",
          "$currentOp",
          "$densify",
          "$documents",
          "$facet",
          "$fill",
          "$geoNear",
          "$graphLookup",
          "$group",
          "$indexStats",
          "$limit",
          "$listLocalSessions",
          "$listSampledQueries",
          "$listSearchIndexes",
          "$listSessions",
          "$lookup",
          "$merge",
          "$out",
          "$planCacheStats",
          "$sample",
          "$search",
          "$searchMeta",
          "$setWindowFields",
          "$shardedDataDistribution",
          "$skip",
          "$sort",
          "$sortByCount",
          "$unionWith",
          "$unwind",
          "$vectorSearch");

  private final List<UnaryOperator<Stream<Document>>> steps;
  private final boolean splitsLargeEvents;

  private StreamPipeline(List<UnaryOperator<Stream<Document>>> steps, boolean splitsLargeEvents) {
    this.steps = steps;
    this.splitsLargeEvents = splitsLargeEvents;
  }

  /** Parses the stages after {@code $changeStream}. */
  static StreamPipeline parse(List<Document> stages, DatabaseResolver databases) {
    List<UnaryOperator<Stream<Document>>> steps = new ArrayList<>();
    boolean split = false;
    for (int i = 0; i < stages.size(); i++) {
      Document stage = stages.get(i);
      if (stage.size() != 1) {
        throw new MongoServerError(
            40323, "A pipeline stage specification object must contain exactly one field.");
      }
      String name = stage.keySet().iterator().next();
      if (!ALLOWED.contains(name)) {
        if (KNOWN.contains(name)) {
          throw new MongoServerError(
              20, "IllegalOperation", name + " is not permitted in a $changeStream pipeline");
        }
        throw new MongoServerError(
            40324, "Location40324", "Unrecognized pipeline stage name: '" + name + "'");
      }
      Object spec = stage.get(name);
      switch (name) {
        case LargeEvents.STAGE -> {
          if (i != stages.size() - 1) {
            throw new MongoServerError(
                7182802,
                "Location7182802",
                LargeEvents.STAGE + " must be the last stage in the pipeline");
          }
          split = true;
        }
        case "$set" -> steps.add(standard(new Document("$addFields", spec), databases));
        case "$replaceWith" ->
            steps.add(
                standard(new Document("$replaceRoot", new Document("newRoot", spec)), databases));
        case "$project" -> steps.add(project(spec, databases));
        default -> steps.add(standard(stage, databases));
      }
    }
    return new StreamPipeline(steps, split);
  }

  /** The pipeline of a pipeline-style update (MongoDB allows only these stages there). */
  static StreamPipeline forUpdate(List<Document> stages, DatabaseResolver databases) {
    Set<String> allowed =
        Set.of("$addFields", "$set", "$project", "$unset", "$replaceRoot", "$replaceWith");
    for (Document stage : stages) {
      String name = stage.isEmpty() ? "" : stage.keySet().iterator().next();
      if (!allowed.contains(name)) {
        throw new MongoServerError(
            72, "InvalidOptions", name + " is not allowed to be used within an update");
      }
    }
    return parse(stages, databases);
  }

  boolean splitsLargeEvents() {
    return splitsLargeEvents;
  }

  boolean isEmpty() {
    return steps.isEmpty();
  }

  Stream<Document> apply(Document event) {
    Stream<Document> stream = Stream.of(event);
    for (UnaryOperator<Stream<Document>> step : steps) {
      stream = step.apply(stream);
    }
    return stream;
  }

  private static UnaryOperator<Stream<Document>> standard(
      Document stage, DatabaseResolver databases) {
    Aggregation aggregation = Aggregation.fromPipeline(List.of(stage), databases, null, null, null);
    return aggregation::runStagesAsStream;
  }

  /** {@code $project}, with computed dotted paths set as nested fields. */
  private static UnaryOperator<Stream<Document>> project(Object spec, DatabaseResolver databases) {
    if (!(spec instanceof Document projection)) {
      return standard(new Document("$project", spec), databases);
    }
    Document plain = new Document();
    Document computedPaths = new Document();
    for (Map.Entry<String, Object> entry : projection.entrySet()) {
      Object value = entry.getValue();
      boolean flag = value instanceof Number || value instanceof Boolean;
      if (entry.getKey().contains(".") && !flag) {
        computedPaths.put(entry.getKey(), value);
      } else {
        plain.put(entry.getKey(), value);
      }
    }
    if (computedPaths.isEmpty()) {
      return standard(new Document("$project", projection), databases);
    }
    // computed fields make an inclusion projection; _id stays unless excluded
    if (plain.values().stream().noneMatch(Utils::isTrue)) {
      plain.putIfAbsent("_id", 1);
    }
    UnaryOperator<Stream<Document>> base = standard(new Document("$project", plain), databases);
    return stream ->
        stream.flatMap(
            original ->
                base.apply(Stream.of(original))
                    .peek(
                        result ->
                            computedPaths.forEach(
                                (path, expression) -> {
                                  Object value = Expression.evaluateDocument(expression, original);
                                  if (!(value instanceof Missing)) {
                                    Utils.changeSubdocumentValue(result, path, value);
                                  }
                                })));
  }
}
