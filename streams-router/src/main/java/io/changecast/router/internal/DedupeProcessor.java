package io.changecast.router.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.router.RouterMetrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
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
 * transaction as the records it lets through): {@code c|<partition>} the number of tokens seen;
 * {@code r|<partition>|<slot>} the token in ring slot {@code slot}; {@code t|<partition>|<token>}
 * the slot's sequence number of a remembered token. Records without a token pass through.
 */
public final class DedupeProcessor implements Processor<String, Step, String, Step> {

  private static final Logger LOG = LoggerFactory.getLogger(DedupeProcessor.class);
  private static final char SEP = '\u0000';

  private final String storeName;
  private final long window;
  private final RouterMetrics metrics;
  private ProcessorContext<String, Step> context;
  private KeyValueStore<String, String> store;

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
    String counterKey = "c" + SEP + scope;
    String counter = store.get(counterKey);
    long seen = counter == null ? 0 : Long.parseLong(counter);
    String slotKey = "r" + SEP + scope + SEP + (seen % window);
    String evicted = store.get(slotKey);
    if (evicted != null) {
      store.delete("t" + SEP + scope + SEP + evicted);
    }
    store.put(slotKey, token);
    store.put(tokenKey, Long.toString(seen));
    store.put(counterKey, Long.toString(seen + 1));
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
