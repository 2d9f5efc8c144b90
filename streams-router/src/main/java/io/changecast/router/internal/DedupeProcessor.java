package io.changecast.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.RouterMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
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
 * event's {@code _id}), scoped to the source topic-partition it arrived on. Each source partition
 * remembers its last {@code window} tokens, so the store is bounded: a duplicate arriving more than
 * {@code window} events after its original is not recognised (size the window above the most the
 * connector can replay: its offset flush interval times the change rate).
 *
 * <p>Store layout (one {@code String -> String} store, changelogged, so it commits in the same
 * transaction as the records it lets through): tokens are hashed into {@value #BUCKETS} buckets per
 * source partition, {@code b|<partition>|<bucket>} holding {@code <n>|<token>|} for each token of
 * the bucket, {@code n} being the token's position in the partition (the number of tokens seen
 * before it). An event reads its bucket and writes it back once: entries out of the window are
 * dropped on that write, the new token appended. One store read and one changelog record per event
 * (the ring of earlier versions wrote three). A bucket keeps the tokens that were in the window
 * when it was last written, so a partition's store holds at most {@code window + }{@value #BUCKETS}
 * tokens (the window's, plus at most one expired token per bucket until the bucket is written
 * again), and an event rewrites about {@code window / }{@value #BUCKETS} tokens (1.5 at the default
 * window of 100,000). The number of tokens seen per partition is kept in memory, derived on {@link
 * #init} from the newest remembered position. A malformed bucket fails the task rather than being
 * guessed at.
 *
 * <p>Earlier versions' layout ({@code r|<partition>|<slot>} ring slots, {@code
 * t|<partition>|<token>} positions, {@code c|<partition>} counters) is read on {@link #init}: its
 * tokens still in the window move into buckets, and its keys are deleted, by the first record
 * processed (stores are written while a record is processed). Records without a token pass through.
 */
public final class DedupeProcessor implements Processor<String, Step, String, Step> {

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
  // tokens seen per scope; rebuilt from the store whenever the task (re)initialises
  private final Map<String, Long> seenByScope = new HashMap<>();
  // store writes moving an earlier version's layout into buckets (null value: delete)
  private final List<KeyValue<String, String>> legacyLayoutWrites = new ArrayList<>();

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
    legacyLayoutWrites.clear();
    List<LegacyToken> legacyTokens = new ArrayList<>();
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
              case 'c' -> {
                seenByScope.merge(key.substring(2), Long.parseLong(kv.value), Math::max);
                legacyLayoutWrites.add(KeyValue.pair(key, null));
              }
              case 't' -> {
                int scopeEnd = key.indexOf(SEP, key.indexOf(SEP, 2) + 1);
                String scope = key.substring(2, scopeEnd);
                seenByScope.merge(scope, Long.parseLong(kv.value) + 1, Math::max);
                legacyTokens.add(
                    new LegacyToken(scope, key.substring(scopeEnd + 1), Long.parseLong(kv.value)));
                legacyLayoutWrites.add(KeyValue.pair(key, null));
              }
              case 'r' -> legacyLayoutWrites.add(KeyValue.pair(key, null));
              default -> LOG.warn("Ignoring an unknown key in store {}", storeName);
            }
          });
    }
    Map<String, String> moved = new LinkedHashMap<>();
    int movedTokens = 0;
    for (LegacyToken legacy : legacyTokens) {
      if (legacy.position() >= seenByScope.get(legacy.scope()) - window) {
        String bucketKey = bucketKey(legacy.scope(), legacy.token());
        String entries = moved.computeIfAbsent(bucketKey, k -> orEmpty(store.get(k)));
        moved.put(bucketKey, entries + legacy.position() + SEP + legacy.token() + SEP);
        movedTokens++;
      }
    }
    if (!legacyLayoutWrites.isEmpty()) {
      LOG.info(
          "Store {}: moving {} token(s) still in the window from an earlier layout into buckets,"
              + " deleting its {} key(s)",
          storeName,
          movedTokens,
          legacyLayoutWrites.size());
    }
    moved.forEach((key, value) -> legacyLayoutWrites.add(KeyValue.pair(key, value)));
  }

  @Override
  public void process(Record<String, Step> record) {
    if (!legacyLayoutWrites.isEmpty()) {
      legacyLayoutWrites.forEach(kv -> store.put(kv.key, kv.value)); // a null value deletes
      legacyLayoutWrites.clear();
    }
    String token = token(record.value());
    if (token == null) {
      context.forward(record);
      return;
    }
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    String scope = topic + SEP + partition;
    long seen = seenByScope.getOrDefault(scope, 0L);
    long oldest = seen - window; // positions below it are out of the window
    String bucketKey = bucketKey(scope, token);
    String bucket = orEmpty(store.get(bucketKey));
    StringBuilder kept = new StringBuilder(bucket.length() + token.length() + 24);
    for (BucketEntries entries = new BucketEntries(bucket); entries.advance(); ) {
      if (entries.position() >= oldest) {
        if (entries.tokenEquals(token)) {
          LOG.debug("Dropping a duplicate of {} from {}-{}", token, topic, partition);
          metrics.duplicate(topic);
          return;
        }
        entries.appendTo(kept);
      }
    }
    kept.append(seen).append(SEP).append(token).append(SEP);
    store.put(bucketKey, kept.toString());
    seenByScope.put(scope, seen + 1);
    context.forward(record);
  }

  private String bucketKey(String scope, String token) {
    int hash = token.hashCode(); // specified by String: the same in every JVM and version
    return "b" + SEP + scope + SEP + Math.floorMod(hash ^ (hash >>> 16), buckets);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  /** A token of the earlier ring layout, with its position in its source partition. */
  private record LegacyToken(String scope, String token, long position) {}

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
