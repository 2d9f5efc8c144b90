package io.changecast.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.RouterMetrics;
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
 * event's {@code _id}), scoped to the source topic-partition it arrived on. Each source partition
 * remembers its last {@code window} tokens in a ring, so the store is bounded: a duplicate arriving
 * more than {@code window} events after its original is not recognised (size the window above the
 * most the connector can replay: its offset flush interval times the change rate).
 *
 * <p>Store layout (one {@code String -> String} store, changelogged, so it commits in the same
 * transaction as the records it lets through): {@code r|<partition>|<slot>} the token in ring slot
 * {@code slot}; {@code t|<partition>|<token>} the sequence number of a remembered token. The number
 * of tokens seen per partition is kept in memory, derived on {@link #init} from the newest
 * remembered sequence number (and from the {@code c|<partition>} counter earlier versions wrote for
 * every event): one store read and one changelog record less per event. Records without a token
 * pass through.
 */
public final class DedupeProcessor implements Processor<String, Step, String, Step> {

  private static final Logger LOG = LoggerFactory.getLogger(DedupeProcessor.class);
  private static final char SEP = '\u0000';

  private final String storeName;
  private final long window;
  private final RouterMetrics metrics;
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, String> store;
  // tokens seen per scope; rebuilt from the store whenever the task (re)initialises
  private final Map<String, Long> seenByScope = new HashMap<>();

  public DedupeProcessor(String storeName, long window, RouterMetrics metrics) {
    if (window < 1) {
      throw new IllegalArgumentException("dedupe window must be >= 1, was " + window);
    }
    this.storeName = storeName;
    this.window = window;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Step> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    seenByScope.clear();
    try (KeyValueIterator<String, String> it = store.all()) {
      it.forEachRemaining(
          kv -> {
            char kind = kv.key.charAt(0);
            if (kind != 'c' && kind != 't') {
              return;
            }
            int topicEnd = kv.key.indexOf(SEP, 2);
            int scopeEnd = kind == 'c' ? kv.key.length() : kv.key.indexOf(SEP, topicEnd + 1);
            long seen = Long.parseLong(kv.value) + (kind == 't' ? 1 : 0);
            seenByScope.merge(kv.key.substring(2, scopeEnd), seen, Math::max);
          });
    }
  }

  @Override
  public void process(Record<String, Step> record) {
    String token = token(record.value());
    if (token == null) {
      context.forward(record);
      return;
    }
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
    int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    String scope = topic + SEP + partition;
    String tokenKey = "t" + SEP + scope + SEP + token;
    if (store.get(tokenKey) != null) {
      LOG.debug("Dropping a duplicate of {} from {}-{}", token, topic, partition);
      metrics.duplicate(topic);
      return;
    }
    long seen = seenByScope.getOrDefault(scope, 0L);
    String slotKey = "r" + SEP + scope + SEP + (seen % window);
    String evicted = store.get(slotKey);
    if (evicted != null) {
      store.delete("t" + SEP + scope + SEP + evicted);
    }
    store.put(slotKey, token);
    store.put(tokenKey, Long.toString(seen));
    seenByScope.put(scope, seen + 1);
    context.forward(record);
  }

  /** The identity of a parsed change event, or {@code null} when it has none. */
  static String token(Step step) {
    if (!(step instanceof Step.Parsed parsed)) {
      return null;
    }
    JsonNode resumeToken = parsed.event().resumeToken();
    return resumeToken == null ? null : Json.canonical(resumeToken).toString();
  }
}
