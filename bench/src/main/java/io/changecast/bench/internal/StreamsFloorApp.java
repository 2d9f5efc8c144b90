package io.changecast.bench.internal;

import io.changecast.router.ChangeEvent;
import io.changecast.router.Envelope;
import io.changecast.router.RouterConfig;
import io.changecast.router.internal.parse.RawTopicFormats;
import io.changecast.router.internal.parse.Step;
import io.changecast.router.internal.runtime.StreamsProperties;
import io.changecast.router.internal.serde.EnvelopeSerde;
import io.changecast.router.internal.tenant.CollectionRules;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * A minimal {@code exactly_once_v2} Kafka Streams app, the floor the router is measured against: it
 * reads the raw topic with the router's own Streams properties ({@link StreamsProperties}) and does
 * one {@link Kind} of work per record. Runs in a JVM of its own (as the router does), started by
 * the bench:
 *
 * <pre>
 * StreamsFloorApp kind bootstrapServers rawTopic outputTopic applicationId stateDir
 * </pre>
 *
 * It prints {@code running} once Kafka Streams runs, and stops on SIGTERM.
 */
public final class StreamsFloorApp {

  /** What the floor app does per record. */
  public enum Kind {
    /** Copies each raw record to the output: the exactly-once framework alone. */
    PASS_THROUGH(false, false, false),
    /**
     * Parses the change event and writes its envelope, with the router's parsing, tenant and type
     * rules and envelope serialisation; the per-tenant sequence is kept in memory (no store).
     */
    PARSE_ENVELOPE(false, false, false),
    /** Parse + envelope, the sequence in one changelogged store, uncached. */
    ONE_STORE_UNCACHED(true, false, false),
    /** Parse + envelope, the sequence in one changelogged store with record caching. */
    ONE_STORE_CACHED(true, true, false),
    /**
     * Parse + envelope and three uncached changelogged stores written per event (sequence, a token
     * store, a document store): what the router wrote before issue 19.
     */
    THREE_STORES_UNCACHED(true, false, true),
    /**
     * Parse + envelope and the router's writes since issue 19: a document store uncached (a new
     * document per insert), a per-source mark and the sequence, both cached.
     */
    ROUTER_WRITES(true, true, true);

    final boolean sequenceStore;
    final boolean cached;
    final boolean perEventStores;

    Kind(boolean sequenceStore, boolean cached, boolean perEventStores) {
      this.sequenceStore = sequenceStore;
      this.cached = cached;
      this.perEventStores = perEventStores;
    }

    /** The lower-case name used on the command line and in results. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private static final String SEQUENCES = "sequences";
  private static final String DOCUMENTS = "documents";
  private static final String TOKENS = "tokens";

  private StreamsFloorApp() {}

  public static void main(String[] args) throws InterruptedException {
    Kind kind = Kind.valueOf(args[0].toUpperCase(Locale.ROOT).replace('-', '_'));
    RouterConfig config =
        RouterConfig.fromMap(
            Map.of(
                RouterConfig.BOOTSTRAP_SERVERS, args[1],
                RouterConfig.APPLICATION_ID, args[4],
                RouterConfig.STATE_DIR, args[5],
                RouterConfig.EVENTS_TOPIC, args[3]));
    KafkaStreams streams =
        new KafkaStreams(
            topology(kind, config, args[2], args[3]), StreamsProperties.from(config, null));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close();
                  stopped.countDown();
                }));
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            System.out.println("running");
            System.out.flush();
          }
        });
    streams.start();
    stopped.await();
  }

  static org.apache.kafka.streams.Topology topology(
      Kind kind, RouterConfig config, String rawTopic, String outputTopic) {
    StreamsBuilder builder = new StreamsBuilder();
    var raw = builder.stream(rawTopic, Consumed.with(Serdes.String(), Serdes.String()));
    if (kind == Kind.PASS_THROUGH) {
      raw.to(outputTopic, Produced.with(Serdes.String(), Serdes.String()));
      return builder.build();
    }
    String[] stores = {};
    if (kind.sequenceStore) {
      builder.addStateStore(store(SEQUENCES, Serdes.Long(), kind.cached));
      stores = new String[] {SEQUENCES};
    }
    if (kind.perEventStores) {
      builder.addStateStore(store(DOCUMENTS, Serdes.String(), false));
      // the router's per-source mark is cached; the old per-event token bucket was not
      builder.addStateStore(store(TOKENS, Serdes.String(), kind == Kind.ROUTER_WRITES));
      stores = new String[] {SEQUENCES, DOCUMENTS, TOKENS};
    }
    raw.process(() -> new Work(kind, config), stores)
        .to(outputTopic, Produced.with(Serdes.String(), new EnvelopeSerde()));
    return builder.build();
  }

  private static <V> StoreBuilder<KeyValueStore<String, V>> store(
      String name, org.apache.kafka.common.serialization.Serde<V> values, boolean cached) {
    var builder =
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
    return cached ? builder.withCachingEnabled() : builder.withCachingDisabled();
  }

  /** Parse, tenant, type and envelope as the router does them, plus the kind's store writes. */
  private static final class Work implements Processor<String, String, String, Envelope> {
    private final Kind kind;
    private final RawTopicFormats formats;
    private final CollectionRules rules;
    private final Map<String, Long> sequencesInMemory = new HashMap<>();
    private ProcessorContext<String, Envelope> context;
    private KeyValueStore<String, Long> sequences;
    private KeyValueStore<String, String> documents;
    private KeyValueStore<String, String> tokens;

    Work(Kind kind, RouterConfig config) {
      this.kind = kind;
      this.formats = RawTopicFormats.from(config);
      this.rules = new CollectionRules(config.tenantStrategy(), config.collections());
    }

    @Override
    public void init(ProcessorContext<String, Envelope> context) {
      this.context = context;
      if (kind.sequenceStore) {
        sequences = context.getStateStore(SEQUENCES);
      }
      if (kind.perEventStores) {
        documents = context.getStateStore(DOCUMENTS);
        tokens = context.getStateStore(TOKENS);
      }
    }

    @Override
    public void process(Record<String, String> record) {
      String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
      Step step = formats.parse(topic, record.headers(), record.key(), record.value());
      if (!(step instanceof Step.Parsed parsed)) {
        return;
      }
      ChangeEvent event = parsed.event();
      CollectionRules.Resolved namespace = rules.forEvent(event);
      String tenant = event.tenant(namespace.tenant()).orElse("none");
      long next;
      if (sequences != null) {
        Long last = sequences.get(tenant);
        next = last == null ? 1 : last + 1;
        sequences.put(tenant, next);
      } else {
        next = sequencesInMemory.merge(tenant, 1L, Long::sum);
      }
      if (documents != null) {
        documents.put(record.key(), tenant);
        tokens.put(
            kind == Kind.ROUTER_WRITES ? topic : event.resumeToken().toString(),
            event.resumeToken().toString());
      }
      Envelope envelope =
          Envelope.of(next, tenant, namespace.type(event), event, System.currentTimeMillis());
      context.forward(record.withKey(tenant).withValue(envelope));
    }
  }
}
