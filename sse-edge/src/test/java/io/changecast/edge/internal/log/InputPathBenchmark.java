package io.changecast.edge.internal.log;

import io.changecast.edge.internal.documents.Documents;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * What the edge's global thread spends per event of the fan-out's 1,000 × 10 shape (issue 19, item
 * 4): {@link EventLogProcessor#process} on the envelopes the bench publishes, round-robin over
 * 1,000 tenants of 10 subscribers each, with the edge's metrics and its store: in memory ({@code
 * documents.enabled=false}) or RocksDB behind the document applier (the default). The subscribers
 * only queue the event (as a session's {@code offer} does before it schedules a drain). Prints the
 * thread's CPU per event for the parse alone and the whole hand-over path, per round and the least
 * of the rounds after the first (the machine is shared: the least is the least disturbed).
 *
 * <p>Not a test: run it with the test classpath, e.g. {@code java -cp
 * sse-edge/target/test-classes:sse-edge/target/classes:CP
 * io.changecast.edge.internal.log.InputPathBenchmark [EVENTS]}.
 */
public final class InputPathBenchmark {
  private static final int TENANTS = 1_000;
  private static final int SUBSCRIBERS = 10;
  private static final String[] TENANT_IDS = new String[TENANTS];

  static {
    for (int t = 0; t < TENANTS; t++) {
      TENANT_IDS[t] = "bench-" + t;
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private InputPathBenchmark() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    for (int round = 1; round <= rounds; round++) {
      double[] now = {parseOnly(events), process(events, false), process(events, true)};
      System.out.printf(
          java.util.Locale.ROOT,
          "round %d: parse only %.2f, documents off %.2f, documents on %.2f µs CPU per event%n",
          round,
          now[0],
          now[1],
          now[2]);
      for (int i = 0; i < now.length && round > 1; i++) {
        best[i] = Math.min(best[i], now[i]);
      }
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "least of rounds 2-%d: parse only %.2f, documents off %.2f, documents on %.2f µs CPU per"
            + " event%n",
        rounds,
        best[0],
        best[1],
        best[2]);
  }

  private static double parseOnly(int events) {
    String[] values = envelopes(events);
    long start = cpu();
    long sink = 0;
    for (int i = 0; i < events; i++) {
      sink += EnvelopeParser.parse(TENANT_IDS[i % TENANTS], values[i]).hashCode() & 1;
    }
    return perEvent(events, start) + (sink < 0 ? 1 : 0);
  }

  private static double process(int events, boolean documentsOn) throws Exception {
    Path stateDir = Files.createTempDirectory("input-path-bench");
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "input-path-bench");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    MockProcessorContext<Void, Void> context =
        new MockProcessorContext<>(
            config, new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
    KeyValueStore<String, String> store =
        Stores.keyValueStoreBuilder(
                documentsOn
                    ? Stores.persistentKeyValueStore(EventLogStore.STORE_NAME)
                    : Stores.inMemoryKeyValueStore(EventLogStore.STORE_NAME),
                Serdes.String(),
                Serdes.String())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    EdgeMetrics metrics = new EdgeMetrics();
    EventHub hub = new EventHub();
    List<Queue<Event>> queues = new ArrayList<>();
    for (int t = 0; t < TENANTS; t++) {
      for (int s = 0; s < SUBSCRIBERS; s++) {
        Queue<Event> queue = new ConcurrentLinkedQueue<>();
        queues.add(queue);
        hub.subscribe("bench-" + t, queue::add);
      }
    }
    AtomicReference<KafkaEventLog> log = new AtomicReference<>();
    AtomicReference<io.changecast.edge.internal.documents.DocumentApplier> applier =
        new AtomicReference<>();
    Optional<Documents> documents =
        documentsOn
            ? Optional.of(
                new Documents(() -> io.changecast.edge.internal.documents.KeyValues.of(store)))
            : Optional.empty();
    EventLogProcessor processor =
        new EventLogProcessor(
            10_000,
            Optional.empty(),
            hub,
            new SourceClock(),
            metrics::recordSkipped,
            metrics::inputAge,
            documents,
            applier,
            metrics::recordRead);
    processor.init(context);
    String[] values = envelopes(events);
    long start = cpu();
    for (int i = 0; i < events; i++) {
      processor.process(
          new Record<>(TENANT_IDS[i % TENANTS], values[i], System.currentTimeMillis()));
      if (i % 10_000 == 9_999) {
        queues.forEach(Queue::clear); // the sessions' writers take them
      }
    }
    double result = perEvent(events, start);
    if (applier.get() != null) {
      applier.get().drain();
      applier.get().close();
    }
    store.close();
    return result;
  }

  /** Event {@code i} goes to tenant {@code i % TENANTS}, with that tenant's next id. */
  private static String[] envelopes(int events) {
    long[] ids = new long[TENANTS];
    String[] values = new String[events];
    for (int i = 0; i < events; i++) {
      values[i] = envelope(TENANT_IDS[i % TENANTS], ++ids[i % TENANTS]);
    }
    return values;
  }

  /** The bench's envelope (FanOutScenario's publisher). */
  private static String envelope(String tenant, long id) {
    return envelope(tenant, id, System.currentTimeMillis());
  }

  /** The bench's envelope (FanOutScenario's publisher) with {@code routedAt} as given. */
  public static String envelope(String tenant, long id, long routedAt) {
    return "{\"id\":\""
        + id
        + "\",\"tenant\":\""
        + tenant
        + "\",\"type\":\"bench.tick\",\"operation\":\"publish\",\"data\":{\"seq\":"
        + id
        + "},\"routedAt\":"
        + routedAt
        + "}";
  }

  private static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  private static double perEvent(int events, long cpuStart) {
    return (cpu() - cpuStart) / 1e3 / events;
  }
}
