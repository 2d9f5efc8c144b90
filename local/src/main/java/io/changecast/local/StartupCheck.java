package io.changecast.local;

import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.validate.ChangecastConfigValidator;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.router.config.RouterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code ./changecast local} checks before it starts anything: every port is free (and no two
 * flags share one), the connector config file can be read and passes {@code connect validate}
 * against the router's {@code raw.topic.pattern}, and the {@code --edge} settings pass the edge's
 * own validation ({@link EdgeConfig#fromMap}, which reads JWT key files). Each problem names the
 * flag, the value and what to do.
 */
public final class StartupCheck {

  /** Where the state of a run would go; never created by the check. */
  private static final Path NO_STATE = Path.of("changecast-local-check");

  /**
   * One reason not to start.
   *
   * @param flag the command-line flag at fault, e.g. {@code --mongo-port}
   * @param value the value given (secrets masked)
   * @param advice what is wrong and what to do, in one line
   */
  public record Problem(String flag, String value, String advice) {

    public Problem {
      advice = firstLine(advice);
    }

    /** {@code changecast local: --mongo-port 27017: port 27017 is in use ...}, one line. */
    public String render() {
      return "changecast local: " + flag + " " + value + ": " + advice;
    }
  }

  private StartupCheck() {}

  /** Every problem of {@code options}; empty when the stack can start. */
  public static List<Problem> check(LocalOptions options) {
    List<Problem> problems = new ArrayList<>();
    Optional<EdgeConfig> edge = edge(options, problems);
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("--mongo-port", options.mongoPort());
    ports.put("--kafka-port", options.kafkaPort());
    ports.put("--connect-port", options.connectPort());
    edge.ifPresent(e -> ports.put(edgePortFlag(options), e.httpPort()));
    ports(ports, edge.map(EdgeConfig::httpHost).orElse(LocalStack.HOST), problems);
    connectorConfig(options, problems);
    return List.copyOf(problems);
  }

  private static Optional<EdgeConfig> edge(LocalOptions options, List<Problem> problems) {
    try {
      return Optional.of(
          EdgeConfig.fromMap(LocalStack.edgeSettings(options, bootstrap(options), NO_STATE)));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      String message = firstLine(e.getMessage());
      problems.add(new Problem("--edge", edgeSettingNamed(options, message), message));
      return Optional.empty();
    }
  }

  /** The {@code --edge} setting a message is about (the first one it names), secrets masked. */
  private static String edgeSettingNamed(LocalOptions options, String message) {
    Map.Entry<String, String> named = null;
    for (Map.Entry<String, String> setting : options.edgeSettings().entrySet()) {
      if (message.contains(setting.getKey())
          && (named == null
              || message.indexOf(setting.getKey()) < message.indexOf(named.getKey()))) {
        named = setting;
      }
    }
    if (named == null && options.edgeSettings().isEmpty()) {
      return "(local defaults)";
    }
    if (named == null) {
      return String.join(
          " --edge ", options.edgeSettings().entrySet().stream().map(StartupCheck::shown).toList());
    }
    return shown(named);
  }

  private static String shown(Map.Entry<String, String> setting) {
    boolean secret = setting.getKey().toLowerCase(Locale.ROOT).endsWith("secret");
    return setting.getKey() + "=" + (secret ? "****" : setting.getValue());
  }

  private static String edgePortFlag(LocalOptions options) {
    return options.edgeSettings().containsKey(EdgeConfig.HTTP_PORT_KEY)
        ? "--edge " + EdgeConfig.HTTP_PORT_KEY
        : "--edge-port";
  }

  private static void ports(Map<String, Integer> ports, String edgeHost, List<Problem> problems) {
    Map<Integer, String> taken = new LinkedHashMap<>();
    ports.forEach(
        (flag, port) -> {
          if (port == 0) {
            return; // a free port, picked when the part starts
          }
          String earlier = taken.putIfAbsent(port, flag);
          if (earlier != null) {
            problems.add(
                new Problem(
                    flag,
                    Integer.toString(port),
                    "also given to "
                        + earlier
                        + "; give each part its own port ("
                        + flag
                        + " 0 picks a free one)"));
            return;
          }
          String host = flag.startsWith("--edge") ? edgeHost : LocalStack.HOST;
          bindError(host, port)
              .ifPresent(
                  error ->
                      problems.add(
                          new Problem(
                              flag,
                              Integer.toString(port),
                              error
                                  + "; stop what uses it or choose another port: "
                                  + flag
                                  + " N (0 picks a free one)")));
        });
  }

  /** Why {@code host:port} cannot be listened on, or empty when it can. */
  static Optional<String> bindError(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true); // as the parts' servers do: a port in TIME_WAIT is free
      socket.bind(new InetSocketAddress(host, port));
      return Optional.empty();
    } catch (BindException e) {
      return Optional.of("port " + port + " on " + host + " is in use (" + e.getMessage() + ")");
    } catch (IOException | SecurityException e) {
      return Optional.of("cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")");
    }
  }

  private static void connectorConfig(LocalOptions options, List<Problem> problems) {
    Path file = options.connectorConfig();
    String flag = "--connector-config";
    if (!Files.isRegularFile(file)) {
      problems.add(
          new Problem(
              flag,
              file.toString(),
              "no such file (relative paths start at "
                  + Path.of("").toAbsolutePath()
                  + "); give a connector config JSON, e.g. "
                  + LocalOptions.DEFAULT_CONNECTOR_CONFIG));
      return;
    }
    ConnectorConfigFile config;
    try {
      config = ConnectorConfigFile.read(file);
    } catch (UncheckedIOException e) {
      problems.add(
          new Problem(
              flag, file.toString(), "cannot read it: " + firstLine(e.getCause().getMessage())));
      return;
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(flag, file.toString(), stripFile(file, e.getMessage())));
      return;
    }
    // the embedded MongoDB's address is known once it runs; any valid one stands in for it here
    int mongoPort = options.mongoPort() == 0 ? 27017 : options.mongoPort();
    ConnectorConfigFile deployed =
        LocalStack.deployed(config, "mongodb://" + LocalStack.HOST + ":" + mongoPort);
    List<ConfigProblem> errors =
        new ChangecastConfigValidator(rawTopicPattern(options))
            .validate(deployed).stream().filter(ConfigProblem::isError).toList();
    if (!errors.isEmpty()) {
      problems.add(
          new Problem(
              flag,
              file.toString(),
              errors.get(0).message()
                  + (errors.size() > 1 ? " and " + (errors.size() - 1) + " more" : "")
                  + "; ./changecast connect validate "
                  + file
                  + " lists them"));
    }
  }

  /** The router's {@code raw.topic.pattern}, read by the router's own config. */
  private static String rawTopicPattern(LocalOptions options) {
    return RouterConfig.fromMap(LocalStack.routerSettings(bootstrap(options), NO_STATE))
        .rawTopicPattern();
  }

  private static String bootstrap(LocalOptions options) {
    return LocalStack.HOST + ":" + options.kafkaPort();
  }

  private static String stripFile(Path file, String message) {
    String prefix = file + ": ";
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  private static String firstLine(String text) {
    String message = text == null ? "invalid" : text;
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
