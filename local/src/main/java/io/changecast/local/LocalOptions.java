package io.changecast.local;

import io.changecast.edge.auth.AuthMode;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.embedded.mongo.MongoOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of {@code ./changecast local}. Port 0 picks a free port (tests use it); the documented
 * defaults are 8080 for the edge and 27017 for MongoDB.
 *
 * @param edgePort the edge's HTTP port
 * @param mongoPort the embedded MongoDB's port
 * @param mongoHistory how many change events the embedded MongoDB retains for change streams (its
 *     "oplog"): a connector further behind than that fails with {@code ChangeStreamHistoryLost}
 * @param kafkaPort the broker's port
 * @param connectPort the Connect worker's REST port
 * @param demo whether the demo writer runs
 * @param connectorConfig the connector config deployed to the Connect worker
 * @param edgeSettings edge config keys set over the local defaults (e.g. {@code auth.mode=jwt} with
 *     {@code auth.jwt.hs256-secret}); empty by default, which leaves auth off
 */
public record LocalOptions(
    int edgePort,
    int mongoPort,
    int mongoHistory,
    int kafkaPort,
    int connectPort,
    boolean demo,
    Path connectorConfig,
    Map<String, String> edgeSettings) {

  /** The connector config the local default deploys, relative to the repository root. */
  public static final Path DEFAULT_CONNECTOR_CONFIG = Path.of("connect-configs", "app-source.json");

  static final String USAGE =
      """
      Usage: ./changecast local [options]
        --edge-port N         HTTP port of the SSE edge (default 8080)
        --mongo-port N        port of the embedded MongoDB (default 27017)
        --mongo-history N     change events the embedded MongoDB retains (default 10000)
        --kafka-port N        port of the embedded Kafka broker (default 9092)
        --connect-port N      REST port of the embedded Kafka Connect worker (default 8083)
        --connector-config F  connector config to deploy (default connect-configs/app-source.json)
        --no-demo             do not run the demo writer
        --edge KEY=VALUE      set an edge config key, e.g. --edge auth.mode=jwt (repeatable)
        --help                show this help
      Ports, the connector config and --edge settings are checked before anything starts
      (exit code 2 names the flag). Port 0 picks a free port. The console shows the banner and
      real problems; all other output goes to the log file the banner names.
      """;

  public LocalOptions {
    if (mongoHistory < 1) {
      throw new IllegalArgumentException("mongoHistory must be positive, was " + mongoHistory);
    }
    edgeSettings = Map.copyOf(edgeSettings);
  }

  /** The documented defaults. */
  public static LocalOptions defaults() {
    return new LocalOptions(
        8080,
        27017,
        MongoOptions.DEFAULT_HISTORY_LIMIT,
        9092,
        8083,
        true,
        DEFAULT_CONNECTOR_CONFIG,
        Map.of());
  }

  /** Free ports everywhere and no demo writer: for tests running next to other processes. */
  public static LocalOptions ephemeral(Path connectorConfig) {
    return new LocalOptions(
        0, 0, MongoOptions.DEFAULT_HISTORY_LIMIT, 0, 0, false, connectorConfig, Map.of());
  }

  /**
   * Parses command-line arguments over the defaults.
   *
   * @throws IllegalArgumentException naming the argument that is unknown or malformed
   */
  public static LocalOptions parse(String... args) {
    LocalOptions options = defaults();
    List<String> rest = new ArrayList<>(List.of(args));
    while (!rest.isEmpty()) {
      String arg = rest.remove(0);
      options =
          switch (arg) {
            case "--no-demo" -> options.withDemo(false);
            case "--edge-port" -> options.withEdgePort(port(arg, rest));
            case "--mongo-port" -> options.withMongoPort(port(arg, rest));
            case "--mongo-history" -> options.withMongoHistory(positive(arg, rest));
            case "--kafka-port" -> options.withKafkaPort(port(arg, rest));
            case "--connect-port" -> options.withConnectPort(port(arg, rest));
            case "--connector-config" -> options.withConnectorConfig(Path.of(value(arg, rest)));
            case "--edge" -> edgeSetting(options, arg, value(arg, rest));
            default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
          };
    }
    return options;
  }

  public LocalOptions withEdgePort(int port) {
    return new LocalOptions(
        port, mongoPort, mongoHistory, kafkaPort, connectPort, demo, connectorConfig, edgeSettings);
  }

  public LocalOptions withMongoPort(int port) {
    return new LocalOptions(
        edgePort, port, mongoHistory, kafkaPort, connectPort, demo, connectorConfig, edgeSettings);
  }

  /** These options with the embedded MongoDB retaining {@code events} change events. */
  public LocalOptions withMongoHistory(int events) {
    return new LocalOptions(
        edgePort, mongoPort, events, kafkaPort, connectPort, demo, connectorConfig, edgeSettings);
  }

  public LocalOptions withKafkaPort(int port) {
    return new LocalOptions(
        edgePort, mongoPort, mongoHistory, port, connectPort, demo, connectorConfig, edgeSettings);
  }

  public LocalOptions withConnectPort(int port) {
    return new LocalOptions(
        edgePort, mongoPort, mongoHistory, kafkaPort, port, demo, connectorConfig, edgeSettings);
  }

  public LocalOptions withDemo(boolean on) {
    return new LocalOptions(
        edgePort,
        mongoPort,
        mongoHistory,
        kafkaPort,
        connectPort,
        on,
        connectorConfig,
        edgeSettings);
  }

  public LocalOptions withConnectorConfig(Path file) {
    return new LocalOptions(
        edgePort, mongoPort, mongoHistory, kafkaPort, connectPort, demo, file, edgeSettings);
  }

  /** These options with edge config key {@code key} set to {@code value}. */
  public LocalOptions withEdgeSetting(String key, String value) {
    Map<String, String> settings = new LinkedHashMap<>(edgeSettings);
    settings.put(key, value);
    return new LocalOptions(
        edgePort, mongoPort, mongoHistory, kafkaPort, connectPort, demo, connectorConfig, settings);
  }

  /** Whether the edge authenticates subscribers: {@code auth.mode} read as the edge reads it. */
  public boolean authEnabled() {
    String mode = edgeSettings.get(EdgeConfig.AUTH_MODE_KEY);
    return mode != null && AuthMode.parse(mode) != AuthMode.NONE;
  }

  private static LocalOptions edgeSetting(LocalOptions options, String option, String setting) {
    int equals = setting.indexOf('=');
    if (equals <= 0) {
      throw new IllegalArgumentException(
          option + " needs KEY=VALUE, got \"" + setting + "\"\n" + USAGE);
    }
    return options.withEdgeSetting(
        setting.substring(0, equals).trim(), setting.substring(equals + 1).trim());
  }

  private static String value(String option, List<String> rest) {
    if (rest.isEmpty() || rest.get(0).startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return rest.remove(0);
  }

  private static int positive(String option, List<String> rest) {
    return wholeNumber(option, rest, 1, Integer.MAX_VALUE, "a positive whole number");
  }

  private static int port(String option, List<String> rest) {
    return wholeNumber(option, rest, 0, 65535, "a port number from 0 to 65535");
  }

  /** The option's value as a whole number from {@code min} to {@code max}, else an error. */
  private static int wholeNumber(
      String option, List<String> rest, int min, int max, String expected) {
    String value = value(option, rest);
    try {
      int number = Integer.parseInt(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + " must be " + expected + ", got \"" + value + "\"");
  }
}
