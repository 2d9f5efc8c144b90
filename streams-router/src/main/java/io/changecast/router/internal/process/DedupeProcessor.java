package io.changecast.router.internal.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.Envelope;
import io.changecast.router.RouterMetrics;
import io.changecast.router.internal.parse.Json;
import io.changecast.router.internal.parse.Step;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops change events the connector delivers twice (after a restart it re-sends what it had not
 * committed), before any id is assigned. An event is identified by its resume token (the change
 * event's {@code _id}), scoped to the source topic-partition it arrived on.
 *
 * <p><b>By position</b> (tokens of MongoDB's form {@code {"_data": "<hex>"}}): a change stream
 * hands out events in resume-token order, and a raw partition carries one change stream, so a
 * connector's replay is a suffix of what the partition already delivered. Each source partition
 * keeps its high-water mark (the greatest {@code _data} seen, key {@code w|<partition>}); an event
 * whose token is not above it is a duplicate, whatever its age. Hex text compares as the KeyString
 * bytes it encodes, i.e. in stream order. One key per source partition: with the store's record
 * cache on, it reaches the changelog once per commit instead of once per event.
 *
 * <p><b>By window</b> (tokens of any other shape, e.g. the official connector's copy-existing
 * events): each source partition remembers its last {@code window} tokens, so the store is bounded:
 * a duplicate arriving more than {@code window} events after its original is not recognised. Tokens
 * are hashed into {@value #BUCKETS} buckets per source partition, {@code b|<partition>|<bucket>}
 * holding {@code <n>|<token>|} for each token of the bucket, {@code n} being the token's position
 * among the partition's windowed tokens. An event reads its bucket and writes it back once: entries
 * out of the window are dropped on that write, the new token appended. A partition's buckets hold
 * at most {@code window + }{@value #BUCKETS} tokens. The number of windowed tokens seen per
 * partition is kept in memory, derived on {@link #init} from the newest remembered position. A
 * malformed bucket fails the task rather than being guessed at.
 *
 * <p>Records without a token pass through.
 */
public final class DedupeProcessor implements Processor<String, Step, String, Step> {

  /** A dropped replay older than this (cluster time, against the mark's) is logged. */
  static final long SUSPICIOUS_AGE_SECONDS = 3600;

  /** Buckets per source partition; fixed, so that a changed window keeps what is remembered. */
  static final int BUCKETS = 1 << 16;

  private static final Logger LOG = LoggerFactory.getLogger(DedupeProcessor.class);
  private static final char SEP = '\u0000';

  private final String storeName;
  private final long window;
  private final int buckets;
  private final RouterMetrics metrics;
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, String> store;
  // windowed tokens seen per scope; rebuilt from the store whenever the task (re)initialises
  private final Map<String, Long> seenByScope = new HashMap<>();
  // the high-water mark ({@code _data}) per scope; rebuilt from the store likewise
  private final Map<String, String> markByScope = new HashMap<>();
  // the cluster time (seconds) of the event that last set the mark, for a warning only
  private final Map<String, Long> markSecondsByScope = new HashMap<>();
  private final Map<String, Long> lastWarnedAt = new HashMap<>();

  public DedupeProcessor(String storeName, long window, RouterMetrics metrics) {
    this(storeName, window, BUCKETS, metrics);
  }

  DedupeProcessor(String storeName, long window, int buckets, RouterMetrics metrics) {
    if (window < 1) {
      throw new IllegalArgumentException("dedupe window must be >= 1, was " + window);
    }
    this.storeName = storeName;
    this.window = window;
    this.buckets = buckets;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    seenByScope.clear();
    markByScope.clear();
    try (KeyValueIterator<String, String> it = store.all()) {
      it.forEachRemaining(
          kv -> {
            String key = kv.key;
            switch (key.charAt(0)) {
              case 'b' -> {
                long newest = -1;
                for (BucketEntries entries = new BucketEntries(kv.value); entries.advance(); ) {
                  newest = Math.max(newest, entries.position());
                }
                seenByScope.merge(key.substring(2, key.lastIndexOf(SEP)), newest + 1, Math::max);
              }
              case 'w' -> markByScope.put(key.substring(2), kv.value);
              default -> LOG.warn("Ignoring an unknown key in store {}", storeName);
            }
          });
    }
  }

  @Override
  public void process(Record<String, Step> record) {
    Step step = record.value();
    String data = streamPosition(step);
    String token = data == null ? token(step) : null;
    if (data == null && token == null) {
      context.forward(record);
      return;
    }
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    String scope = topic + SEP + partition;
    boolean fresh = data != null ? aboveMark(scope, data, step) : windowed(scope, token);
    if (!fresh) {
      LOG.debug("Dropping a duplicate from {}-{}", topic, partition);
      if (data != null) {
        warnIfFarBelowMark(topic, partition, scope, step);
      }
      metrics.duplicate(topic);
      return;
    }
    context.forward(record);
  }

  /** Whether {@code data} is above the scope's high-water mark (then it becomes the mark). */
  private boolean aboveMark(String scope, String data, Step step) {
    String mark = markByScope.get(scope);
    if (mark != null && data.compareTo(mark) <= 0) {
      return false;
    }
    markByScope.put(scope, data);
    store.put(markKey(scope), data);
    Envelope.ClusterTime time = clusterTime(step);
    if (time != null) {
      markSecondsByScope.put(scope, time.t());
    }
    return true;
  }

  /**
   * A replay is the recent past; an event far older than the mark suggests a raw partition fed by a
   * second source, whose events would all be dropped. Says so, at most once a minute per partition.
   */
  private void warnIfFarBelowMark(String topic, int partition, String scope, Step step) {
    Long markSeconds = markSecondsByScope.get(scope);
    Envelope.ClusterTime time = clusterTime(step);
    long now = System.currentTimeMillis();
    if (markSeconds != null
        && time != null
        && markSeconds - time.t() > SUSPICIOUS_AGE_SECONDS
        && now - lastWarnedAt.getOrDefault(scope, 0L) > 60_000) {
      lastWarnedAt.put(scope, now);
      LOG.warn(
          "Dropping an event from {}-{} as a replay: its cluster time is {} s older than the"
              + " partition's newest. A raw topic must carry one change stream; events of another"
              + " source whose resume tokens sort lower are all dropped",
          topic,
          partition,
          markSeconds - time.t());
    }
  }

  private static Envelope.ClusterTime clusterTime(Step step) {
    if (step instanceof Step.Parsed parsed) {
      return parsed.event().clusterTime();
    }
    return step instanceof Step.NamespaceChanged changed ? changed.change().clusterTime() : null;
  }

  /** Whether {@code token} is new within the scope's window (then it is remembered). */
  private boolean windowed(String scope, String token) {
    long seen = seenByScope.getOrDefault(scope, 0L);
    long oldest = seen - window; // positions below it are out of the window
    String bucketKey = bucketKey(scope, token);
    String bucket = orEmpty(store.get(bucketKey));
    StringBuilder kept = new StringBuilder(bucket.length() + token.length() + 24);
    for (BucketEntries entries = new BucketEntries(bucket); entries.advance(); ) {
      if (entries.position() >= oldest) {
        if (entries.tokenEquals(token)) {
          return false;
        }
        entries.appendTo(kept);
      }
    }
    kept.append(seen).append(SEP).append(token).append(SEP);
    store.put(bucketKey, kept.toString());
    seenByScope.put(scope, seen + 1);
    return true;
  }

  private static String markKey(String scope) {
    return "w" + SEP + scope;
  }

  private String bucketKey(String scope, String token) {
    int hash = token.hashCode(); // specified by String: the same in every JVM and version
    return "b" + SEP + scope + SEP + Math.floorMod(hash ^ (hash >>> 16), buckets);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  /** A cursor over a bucket's {@code <position>\0<token>\0} entries. */
  private static final class BucketEntries {
    private final String bucket;
    private int start;
    private int positionEnd;
    private int next;

    BucketEntries(String bucket) {
      this.bucket = bucket;
    }

    /** Moves to the next entry; {@code false} at the end. */
    boolean advance() {
      if (next >= bucket.length()) {
        return false;
      }
      start = next;
      positionEnd = bucket.indexOf(SEP, start);
      int tokenEnd = positionEnd < 0 ? -1 : bucket.indexOf(SEP, positionEnd + 1);
      if (positionEnd <= start || tokenEnd < 0) {
        throw new IllegalStateException("Malformed dedupe bucket: no entry at offset " + start);
      }
      next = tokenEnd + 1;
      return true;
    }

    long position() {
      return Long.parseLong(bucket, start, positionEnd, 10);
    }

    boolean tokenEquals(String token) {
      return next - positionEnd - 2 == token.length() && bucket.startsWith(token, positionEnd + 1);
    }

    void appendTo(StringBuilder out) {
      out.append(bucket, start, next);
    }
  }

  /**
   * The {@code _data} text of a MongoDB resume token ({@code {"_data": "<hex>"}}), whose order is
   * the change stream's; {@code null} for other tokens and for events without one.
   */
  static String streamPosition(Step step) {
    JsonNode token =
        step instanceof Step.Parsed parsed
            ? parsed.event().resumeToken()
            : step instanceof Step.NamespaceChanged changed ? changed.change().resumeToken() : null;
    if (token == null || !token.isObject() || token.size() != 1) {
      return null;
    }
    JsonNode data = token.get("_data");
    return data != null && data.isTextual() && isHex(data.textValue()) ? data.textValue() : null;
  }

  private static boolean isHex(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** The identity of a parsed change event, or {@code null} when it has none. */
  static String token(Step step) {
    if (step instanceof Step.NamespaceChanged changed) {
      JsonNode token = changed.change().resumeToken();
      return token == null ? null : Json.canonicalString(token);
    }
    if (!(step instanceof Step.Parsed parsed)) {
      return null;
    }
    JsonNode resumeToken = parsed.event().resumeToken();
    return resumeToken == null ? null : Json.canonicalString(resumeToken);
  }
}
