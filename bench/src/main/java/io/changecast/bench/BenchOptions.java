package io.changecast.bench;

import io.changecast.bench.internal.FanOutScenario.Shape;
import io.changecast.local.LocalOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Options of a benchmark run.
 *
 * @param scenarios the scenarios to run, in declaration order
 * @param mode quick or full
 * @param resultsDir where {@code <scenario>-<mode>.json} and {@code SUMMARY.md} are written
 * @param connectorConfig the connector config the local pipeline deploys
 * @param latencyWrites when positive, the number of measured writes per latency run (smoke tests)
 * @param replayBacklog when positive, the replay backlog size (smoke tests)
 * @param throughputEvents when positive, the router backlog and the one pipeline rate (smoke tests)
 * @param routerAlone when not empty, the throughput scenario runs only these router-alone
 *     contenders, in this order, and no pipeline part (A/B runs of the router)
 * @param routerBClassPath when not empty, the class path of contender {@code router-b}: the router
 *     of another build, for an A/B run of two builds on one backlog
 * @param connections when positive, the idle-connection maximum, the fan-out subscribers and the
 *     loopback-floor connections
 * @param fanOutShapes when not empty, the fan-out shapes instead of the mode's (given as {@code
 *     TENANTSxSUBSCRIBERS}, e.g. {@code 1x1000})
 * @param fanOutRates when not empty, the fan-out delivery rates to step through instead of the
 *     mode's
 * @param stateDocuments when positive, the document-state scenario's snapshot documents (smoke
 *     tests)
 * @param peer the side-by-side peer of the idle-connection and fan-out scenarios: {@code pushpin}
 *     or {@code none}
 * @param command the command line recorded in the results
 */
public record BenchOptions(
    Set<Scenario> scenarios,
    Mode mode,
    Path resultsDir,
    Path connectorConfig,
    int latencyWrites,
    int replayBacklog,
    int throughputEvents,
    List<String> routerAlone,
    String routerBClassPath,
    int connections,
    List<Shape> fanOutShapes,
    List<Integer> fanOutRates,
    int stateDocuments,
    String peer,
    String command) {

  /** The launcher documented in {@code bench/README.md}, run from the repository root. */
  public static final String LAUNCHER =
      "java -cp \"bench/target/classes:$(cat bench/target/classpath.txt)\""
          + " io.changecast.bench.Bench";

  /** {@link #LAUNCHER} with this JVM's {@code -X} options (heap, GC) after {@code java}. */
  static String launcher() {
    String options =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(arg -> arg.startsWith("-X"))
            .collect(Collectors.joining(" "));
    return options.isEmpty() ? LAUNCHER : LAUNCHER.replaceFirst("^java ", "java " + options + " ");
  }

  static final String USAGE =
      """
      Usage: io.changecast.bench.Bench [options]
        --scenario S[,S...]|all         what to run: latency, replay, throughput,
                                        idle-connections, fan-out, loopback-floor,
                                        document-state, all (default all)
        --mode quick|full               quick: under 2 minutes; full: the published numbers (default quick)
        --results-dir D                 where results go (default bench/results)
        --connector-config F            connector config (default connect-configs/app-source.json)
        --latency-writes N              measured writes per latency run (default: by mode)
        --replay-backlog N              replay backlog size (default: by mode)
        --throughput-events N           router backlog and pipeline rate (default: by mode)
        --router-alone C[,C...]         throughput: only these router-alone contenders, in
                                        this order, repeats run again (router, router-b,
                                        router-database-tenant, floor ids); no pipeline part
        --router-b-classpath CP         the class path of contender router-b (another build)
        --connections N                 idle connections / fan-out subscribers / loopback-floor
                                        connections (at most 9,000) (default: by mode)
        --fan-out-shapes TxS[,TxS...]   fan-out shapes, e.g. 1x1000,1000x10 (default: by mode)
        --fan-out-rates R[,R...]        fan-out deliveries/s steps (default: by mode)
        --state-documents N             document-state: snapshot documents (default: by mode)
        --peer pushpin|none             side-by-side peer (default pushpin)
      """;

  public BenchOptions {
    scenarios = Set.copyOf(scenarios);
    routerAlone = List.copyOf(routerAlone);
    fanOutShapes = List.copyOf(fanOutShapes);
    fanOutRates = List.copyOf(fanOutRates);
  }

  /** Parses command-line arguments; the recorded command is the launcher plus the arguments. */
  public static BenchOptions parse(String... args) {
    Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
    Mode mode = Mode.QUICK;
    Path results = Path.of("bench", "results");
    Path connector = LocalOptions.DEFAULT_CONNECTOR_CONFIG;
    int latencyWrites = 0;
    int replayBacklog = 0;
    int throughputEvents = 0;
    List<String> routerAlone = List.of();
    String routerBClassPath = "";
    int connections = 0;
    List<Shape> fanOutShapes = List.of();
    List<Integer> fanOutRates = List.of();
    int stateDocuments = 0;
    String peer = "pushpin";
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String arg = rest.remove(0);
      switch (arg) {
        case "--scenario" -> scenarios = scenarios(value(arg, rest));
        case "--mode" -> mode = mode(value(arg, rest));
        case "--results-dir" -> results = Path.of(value(arg, rest));
        case "--connector-config" -> connector = Path.of(value(arg, rest));
        case "--latency-writes" -> latencyWrites = positive(arg, value(arg, rest));
        case "--replay-backlog" -> replayBacklog = positive(arg, value(arg, rest));
        case "--throughput-events" -> throughputEvents = positive(arg, value(arg, rest));
        case "--router-alone" ->
            routerAlone = Arrays.stream(value(arg, rest).split(",")).map(String::strip).toList();
        case "--router-b-classpath" -> routerBClassPath = value(arg, rest);
        case "--connections" -> connections = positive(arg, value(arg, rest));
        case "--fan-out-shapes" -> fanOutShapes = shapes(value(arg, rest));
        case "--fan-out-rates" ->
            fanOutRates =
                Arrays.stream(value(arg, rest).split(",")).map(r -> positive(arg, r)).toList();
        case "--state-documents" -> stateDocuments = positive(arg, value(arg, rest));
        case "--peer" -> peer = peer(value(arg, rest));
        default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
      }
    }
    String command = args.length == 0 ? launcher() : launcher() + " " + String.join(" ", args);
    return new BenchOptions(
        scenarios,
        mode,
        results,
        connector,
        latencyWrites,
        replayBacklog,
        throughputEvents,
        routerAlone,
        routerBClassPath,
        connections,
        fanOutShapes,
        fanOutRates,
        stateDocuments,
        peer,
        command);
  }

  private static Set<Scenario> scenarios(String value) {
    if (value.equals("all")) {
      return EnumSet.allOf(Scenario.class);
    }
    try {
      Set<Scenario> chosen = EnumSet.noneOf(Scenario.class);
      for (String id : value.split(",")) {
        chosen.add(Scenario.of(id.trim()));
      }
      return chosen;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--scenario must be latency, replay, throughput, idle-connections, fan-out,"
              + " loopback-floor, document-state or all, got \""
              + value
              + "\"");
    }
  }

  private static List<Shape> shapes(String value) {
    List<Shape> shapes = new ArrayList<>();
    for (String shape : value.split(",")) {
      // at most 9 digits each: always an int
      if (!shape.matches("[1-9][0-9]{0,8}x[1-9][0-9]{0,8}")) {
        throw new IllegalArgumentException(
            "--fan-out-shapes must be TENANTSxSUBSCRIBERS[,...], got \"" + value + "\"");
      }
      String[] parts = shape.split("x");
      shapes.add(new Shape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
    }
    return shapes;
  }

  private static String peer(String value) {
    if (value.equals("pushpin") || value.equals("none")) {
      return value;
    }
    throw new IllegalArgumentException("--peer must be pushpin or none, got \"" + value + "\"");
  }

  /** Whether the side-by-side scenarios also run against Pushpin. */
  public boolean withPushpin() {
    return peer.equals("pushpin");
  }

  private static Mode mode(String value) {
    try {
      return Mode.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--mode must be quick or full, got \"" + value + "\"");
    }
  }

  private static String value(String option, List<String> rest) {
    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return rest.remove(0);
  }

  private static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        option + " must be a positive number, got \"" + value + "\"");
  }
}
