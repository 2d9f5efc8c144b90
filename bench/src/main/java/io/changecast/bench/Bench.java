package io.changecast.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.changecast.bench.internal.Charts;
import io.changecast.bench.internal.ClientFleet;
import io.changecast.bench.internal.DocumentStateScenario;
import io.changecast.bench.internal.Environment;
import io.changecast.bench.internal.FanOutScenario;
import io.changecast.bench.internal.IdleConnectionsScenario;
import io.changecast.bench.internal.LatencyScenario;
import io.changecast.bench.internal.LoopbackFloorScenario;
import io.changecast.bench.internal.ReplayScenario;
import io.changecast.bench.internal.Summary;
import io.changecast.bench.internal.Targets;
import io.changecast.bench.internal.ThroughputScenario;
import io.changecast.bench.internal.TopicTaps;
import io.changecast.local.LocalOptions;
import io.changecast.local.LocalStack;
import io.changecast.router.config.RouterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark harness: starts the local pipeline ({@link LocalStack}) in this JVM, runs the
 * chosen scenarios against it (the idle-connection and fan-out scenarios against an edge in a child
 * JVM and Pushpin, on the pipeline's broker) and writes {@code <scenario>-<mode>.json}, the charts
 * ({@code *.png}) and {@code SUMMARY.md} into the results directory.
 *
 * <pre>
 * java -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.changecast.bench.Bench \
 *     --scenario latency|replay|throughput|idle-connections|fan-out|loopback-floor|document-state|all \
 *     --mode quick|full
 * </pre>
 */
public final class Bench {

  private static final Logger log = LoggerFactory.getLogger(Bench.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String DATABASE = "app";
  private static final String COLLECTION = "bench";

  private Bench() {}

  /**
   * Change events the embedded MongoDB retains when the throughput scenario runs: a replica set's
   * oplog holds hours of writes, so the pipeline's steps are measured with a history none can
   * outrun (the default, 10,000, is one second at 10k writes/s: a connector that far behind fails
   * with {@code ChangeStreamHistoryLost}). Other runs keep the default: the embedded history lives
   * on the JVM heap, and a million retained events lengthened the latency scenario's GC work (1k
   * writes/s p99 330-348 ms against 72-135 ms).
   */
  static final int THROUGHPUT_MONGO_HISTORY = 1_000_000;

  public static void main(String[] args) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    int status = 0;
    List<Path> written = new ArrayList<>();
    try {
      LocalOptions local = LocalOptions.ephemeral(options.connectorConfig());
      if (options.scenarios().contains(Scenario.THROUGHPUT)) {
        local = local.withMongoHistory(THROUGHPUT_MONGO_HISTORY);
      }
      try (LocalStack stack = LocalStack.start(local)) {
        written.addAll(run(stack, options));
      }
      written.forEach(System.out::println);
    } catch (RuntimeException e) {
      log.error("benchmark failed", e);
      status = 1;
    }
    System.exit(status);
  }

  /**
   * Runs the chosen scenarios against a running pipeline and writes their results.
   *
   * @param stack the running pipeline (every scenario uses at least its broker)
   * @return the files written: one JSON per scenario, the charts, then {@code SUMMARY.md}
   */
  public static List<Path> run(LocalStack stack, BenchOptions options) {
    if (stack == null) {
      throw new IllegalArgumentException(
          "the scenarios run against the local pipeline (the loopback floor reads its broker)");
    }
    try {
      Files.createDirectories(options.resultsDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + options.resultsDir(), e);
    }
    List<Path> written = new ArrayList<>();
    Path workDir;
    try {
      workDir = Files.createTempDirectory("changecast-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory", e);
    }
    try (Targets targets =
            new Targets(stack.kafkaBootstrapServers(), workDir, options.withPushpin());
        MongoClient mongo = MongoClients.create(stack.mongoConnectionString())) {
      MongoCollection<Document> collection = mongo.getDatabase(DATABASE).getCollection(COLLECTION);
      for (Scenario scenario : EnumSet.copyOf(options.scenarios())) {
        ObjectNode result = header(scenario, options);
        ObjectNode load = result.putObject("loadAverage");
        load.set("start", Environment.loadAverage());
        switch (scenario) {
          case LATENCY -> result.set("runs", latency(stack, collection, options));
          case REPLAY ->
              result.set(
                  "replay",
                  new ReplayScenario(stack.edgeUrl(), collection)
                      .run(ReplayScenario.plan(options.mode(), options.replayBacklog())));
          case THROUGHPUT ->
              result.set(
                  "throughput",
                  new ThroughputScenario(
                          stack.kafkaBootstrapServers(), workDir, stack.edgeUrl(), collection)
                      .run(
                          ThroughputScenario.plan(options.mode(), options.throughputEvents())
                              .onlyRouterAlone(options.routerAlone(), options.routerBClassPath())));
          case IDLE_CONNECTIONS ->
              result.set(
                  "targets",
                  new IdleConnectionsScenario(targets)
                      .run(IdleConnectionsScenario.plan(options.mode(), options.connections())));
          case FAN_OUT ->
              result.set(
                  "targets",
                  new FanOutScenario(targets)
                      .run(
                          FanOutScenario.plan(
                              options.mode(),
                              options.connections(),
                              options.fanOutShapes(),
                              options.fanOutRates())));
          case LOOPBACK_FLOOR ->
              result.setAll(
                  new LoopbackFloorScenario(stack.kafkaBootstrapServers(), workDir)
                      .run(
                          LoopbackFloorScenario.plan(
                              options.mode(),
                              options.connections(),
                              options.fanOutShapes(),
                              options.fanOutRates())));
          case DOCUMENT_STATE ->
              result.set(
                  "documentState",
                  new DocumentStateScenario(stack.kafkaBootstrapServers(), workDir)
                      .run(DocumentStateScenario.plan(options.mode(), options.stateDocuments())));
        }
        load.set("end", Environment.loadAverage());
        result.put("processRssBytesEnd", Environment.processRssBytes());
        written.add(write(options.resultsDir(), scenario, options.mode(), result));
      }
    }
    written.addAll(Charts.write(options.resultsDir()));
    written.add(Summary.write(options.resultsDir()));
    deleteRecursively(workDir);
    return written;
  }

  /** The latency runs, with taps on the local default's raw and events topics. */
  private static ArrayNode latency(
      LocalStack stack, MongoCollection<Document> collection, BenchOptions options) {
    RouterConfig topics =
        RouterConfig.fromMap(Map.of(RouterConfig.BOOTSTRAP_SERVERS, stack.kafkaBootstrapServers()));
    try (TopicTaps taps =
        new TopicTaps(stack.kafkaBootstrapServers(), topics.rawTopics(), topics.eventsTopic())) {
      return new LatencyScenario(stack.edgeUrl(), collection, taps)
          .run(LatencyScenario.plan(options.mode(), options.latencyWrites()));
    }
  }

  private static ObjectNode header(Scenario scenario, BenchOptions options) {
    ObjectNode result = JSON.createObjectNode();
    result.put("scenario", scenario.id());
    result.put("mode", options.mode().id());
    result.put("timestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    result.put("command", options.command());
    switch (scenario) {
      case IDLE_CONNECTIONS, FAN_OUT -> {
        result.put("client", ClientFleet.DESCRIPTION);
        result.put(
            "topology",
            "each server in its own process(es): the edge as a child JVM reading a topic of the"
                + " harness's KRaft broker, Pushpin (runner, condure, proxy, handler) with a GRIP"
                + " origin in the harness; clients in child JVMs; the harness publishes");
      }
      case LOOPBACK_FLOOR -> {
        result.put("client", ClientFleet.DESCRIPTION);
        result.put(
            "topology",
            "the fan-out's plan, publisher and client processes against a minimal writer process"
                + " (LoopbackFloorServer, a child JVM) in place of a server: it reads the events"
                + " topic of the harness's KRaft broker as the edge does (floor), or takes the"
                + " events over stdin (floorNoHop), and writes each connection everything due in"
                + " one write; no HTTP library");
      }
      case DOCUMENT_STATE -> {
        result.put(
            "client",
            "java.net.http.HttpClient (HTTP/1.1): whole bodies for snapshot pages, a line reader"
                + " for SSE");
        result.put(
            "topology",
            "edges in child JVMs (state off, then on, then the restart), each on a fresh"
                + " one-partition events topic of the harness's KRaft broker, to which the harness"
                + " produces envelopes; the floor server in a child JVM");
      }
      case THROUGHPUT -> {
        result.put(
            "client", "java.net.http.HttpClient + line reader, one thread per SSE connection");
        result.put(
            "topology",
            "one JVM: embedded MongoDB, KRaft broker, Connect worker (MongoSourceConnector),"
                + " router, edge, writer and SSE clients; router alone: the router"
                + " (ChangecastRouter's main) and the Kafka Streams floor apps each in a child JVM,"
                + " on a pre-produced raw topic of that broker");
      }
      default -> {
        result.put(
            "client", "java.net.http.HttpClient + line reader, one thread per SSE connection");
        result.put(
            "topology",
            "one JVM: embedded MongoDB, KRaft broker, Connect worker (MongoSourceConnector),"
                + " router, edge, writer and SSE clients");
      }
    }
    result.set("machine", Environment.machine());
    result.set("versions", Environment.versions());
    return result;
  }

  private static Path write(Path dir, Scenario scenario, Mode mode, ObjectNode result) {
    Path file = dir.resolve(scenario.id() + "-" + mode.id() + ".json");
    try {
      JSON.writeValue(file.toFile(), result);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    log.info("wrote {}", file);
    return file;
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}", dir, e);
    }
  }
}
