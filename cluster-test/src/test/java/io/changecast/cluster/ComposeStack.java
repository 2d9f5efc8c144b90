package io.changecast.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped compose files, scaled out, driven through Docker's CLI: {@code <compose> -p <project>
 * -f docker-compose.yml -f docker-compose.standins.yml …}. {@code compose} is e.g. {@code
 * docker-compose} (1.29) or {@code docker compose}.
 */
final class ComposeStack {

  static final List<String> FILES = List.of("docker-compose.yml", "docker-compose.standins.yml");

  /** The services started (grafana's image is not available here). */
  static final List<String> SERVICES =
      List.of(
          "mongo",
          "mongo-init",
          "kafka",
          "connect",
          "connect-register",
          "router",
          "edge",
          "prometheus");

  /** The services scaled to two. */
  static final Map<String, Integer> SCALE = Map.of("connect", 2, "router", 2, "edge", 2);

  /**
   * The compose file's variables for a scaled-out stack: two edges or Connect workers cannot share
   * the default host ports 8080 and 8083, so each gets a free one (the tests reach them by their
   * container addresses).
   */
  static final Map<String, String> SCALED_ENVIRONMENT =
      Map.of("CHANGECAST_EDGE_PUBLISH", "8080", "CHANGECAST_CONNECT_PUBLISH", "8083");

  private static final Logger LOG = LoggerFactory.getLogger(ComposeStack.class);
  private static final int PAUSE_ATTEMPTS = 5;
  private static final Duration DOCKER_TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern SERVICE = Pattern.compile("^  ([A-Za-z0-9._-]+):\\s*$");
  private static final Pattern IMAGE = Pattern.compile("^    image: ['\"]?([^'\"]+)['\"]?\\s*$");
  private static final Pattern SESSION_TIMEOUT =
      Pattern.compile(
          "CHANGECAST_ROUTER_STREAMS_(?:MAIN_CONSUMER_)?(?:CONSUMER_)?SESSION_TIMEOUT_MS:"
              + "\\s*['\"]?(\\d+)");

  /** One container as {@code docker inspect} shows it now. */
  record Container(String id, String name, String hostname, String status, String ip) {
    boolean running() {
      return "running".equals(status);
    }

    String shortId() {
      return id.substring(0, 12);
    }
  }

  private final List<String> compose;
  private final Path dir;
  private final String project;
  private final Map<String, String> environment;

  /** A stack run with the compose files' defaults. */
  ComposeStack(String compose, Path dir, String project) {
    this(compose, dir, project, Map.of());
  }

  /** A stack whose compose commands see {@code environment} (e.g. {@link #SCALED_ENVIRONMENT}). */
  ComposeStack(String compose, Path dir, String project, Map<String, String> environment) {
    this.compose = Arrays.asList(compose.trim().split("\\s+"));
    this.dir = dir;
    this.project = project;
    this.environment = Map.copyOf(environment);
  }

  String project() {
    return project;
  }

  /**
   * Checks that Docker, the compose command, the compose files and every image of the services to
   * start are there; the returned list names whatever is missing (empty: all there).
   */
  List<String> missing() {
    List<String> missing = new ArrayList<>();
    Shell.Result docker = docker(List.of("version", "--format", "{{.Server.Version}}"));
    if (!docker.ok()) {
      missing.add("a working Docker daemon (`docker version`: " + docker.err().strip() + ")");
      return missing;
    }
    Shell.Result version = Shell.run(dir, DOCKER_TIMEOUT, with(compose, "version"));
    if (!version.ok()) {
      missing.add(
          "the compose command `%s` (system property cluster.compose): %s"
              .formatted(String.join(" ", compose), version.err().strip()));
      return missing;
    }
    for (String file : FILES) {
      if (!Files.isRegularFile(dir.resolve(file))) {
        missing.add(
            "%s in %s (system property cluster.composeDir)".formatted(file, dir.toAbsolutePath()));
      }
    }
    if (!missing.isEmpty()) {
      return missing;
    }
    Shell.Result config = compose("config");
    if (!config.ok()) {
      missing.add("a valid compose configuration (`config`: " + config.err().strip() + ")");
      return missing;
    }
    Map<String, String> images = images(config.out());
    Map<String, List<String>> servicesByImage = new LinkedHashMap<>();
    for (String service : SERVICES) {
      if (!images.containsKey(service)) {
        missing.add("service " + service + " in the compose files");
      } else if (images.get(service) == null) {
        missing.add("an image for service " + service + " (it has none)");
      } else {
        servicesByImage.computeIfAbsent(images.get(service), i -> new ArrayList<>()).add(service);
      }
    }
    servicesByImage.forEach(
        (image, services) -> {
          if (!docker(List.of("image", "inspect", "--format", "{{.Id}}", image)).ok()) {
            missing.add("image " + image + " (" + String.join(", ", services) + ")");
          }
        });
    return missing;
  }

  /**
   * The router's consumer session timeout as the compose files set it ({@code
   * CHANGECAST_ROUTER_STREAMS_SESSION_TIMEOUT_MS}), or empty when they leave Kafka's default.
   */
  java.util.OptionalLong routerSessionTimeoutMs() {
    Shell.Result config = compose("config");
    return config.ok() ? sessionTimeoutMs(config.out()) : java.util.OptionalLong.empty();
  }

  static java.util.OptionalLong sessionTimeoutMs(String config) {
    Matcher m = SESSION_TIMEOUT.matcher(config);
    return m.find()
        ? java.util.OptionalLong.of(Long.parseLong(m.group(1)))
        : java.util.OptionalLong.empty();
  }

  /** Service → image from {@code compose config}'s normalised YAML (null: no image key). */
  static Map<String, String> images(String config) {
    Map<String, String> images = new LinkedHashMap<>();
    boolean inServices = false;
    String service = null;
    for (String line : config.split("\n")) {
      if (!line.startsWith(" ") && !line.isBlank()) {
        inServices = line.startsWith("services:");
        service = null;
        continue;
      }
      if (!inServices) {
        continue;
      }
      Matcher s = SERVICE.matcher(line);
      if (s.matches()) {
        service = s.group(1);
        images.put(service, null);
        continue;
      }
      Matcher i = IMAGE.matcher(line);
      if (service != null && i.matches()) {
        images.put(service, i.group(1).trim());
      }
    }
    return images;
  }

  /** Starts {@link #SERVICES}, each service in {@code scale} with that many containers. */
  void up(Map<String, Integer> scale) {
    List<String> args = new ArrayList<>(List.of("up", "-d"));
    scale.forEach(
        (service, n) -> {
          args.add("--scale");
          args.add(service + "=" + n);
        });
    args.addAll(SERVICES);
    Shell.Result result = Shell.run(dir, Duration.ofMinutes(10), composeArgs(args));
    result.orThrow();
  }

  /** Keeps every service's log in {@code logDir}, then removes the stack and its volumes. */
  void downKeepingLogs(Path logDir) {
    for (String service : SERVICES) {
      Shell.runTo(
          dir,
          DOCKER_TIMEOUT,
          composeArgs(List.of("logs", "--no-color", "--timestamps", service)),
          logDir.resolve(service + ".log"));
    }
    Shell.Result down = Shell.run(dir, Duration.ofMinutes(5), composeArgs(List.of("down", "-v")));
    if (!down.ok()) {
      throw new IllegalStateException("compose down failed: " + down.err());
    }
  }

  /** Removes what a previous run of this project may have left (same project name). */
  void downQuietly() {
    Shell.run(dir, Duration.ofMinutes(5), composeArgs(List.of("down", "-v")));
  }

  /** The service's containers (running or not), in a stable order. */
  List<Container> containers(String service) {
    String ids =
        docker(
                List.of(
                    "ps",
                    "-a",
                    "-q",
                    "--no-trunc",
                    "--filter",
                    "label=com.docker.compose.project=" + project,
                    "--filter",
                    "label=com.docker.compose.service=" + service))
            .orThrow();
    List<String> list = ids.lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
    List<Container> containers = new ArrayList<>();
    for (String id : list) {
      containers.add(inspect(id));
    }
    return containers;
  }

  Container inspect(String id) {
    String line =
        docker(
                List.of(
                    "inspect",
                    "-f",
                    "{{.Id}}|{{.Name}}|{{.Config.Hostname}}|{{.State.Status}}|"
                        + "{{range .NetworkSettings.Networks}}{{.IPAddress}},{{end}}",
                    id))
            .orThrow()
            .strip();
    String[] parts = line.split("\\|", -1);
    String ip = parts[4].split(",")[0];
    return new Container(parts[0], parts[1].replaceFirst("^/", ""), parts[2], parts[3], ip);
  }

  void kill(Container c) {
    docker(List.of("kill", "--signal", "KILL", c.id())).orThrow();
  }

  void start(Container c) {
    docker(List.of("start", c.id())).orThrow();
  }

  void restart(Container c) {
    docker(List.of("restart", c.id())).orThrow();
  }

  /**
   * Freezes {@code c}. runc gives up freezing a cgroup whose processes do not stop within its
   * timeout (it happens on a loaded machine), thaws it again and fails with "unable to freeze": the
   * fault was not injected, so it is tried again, at most {@value #PAUSE_ATTEMPTS} times.
   */
  void pause(Container c) {
    Shell.Result result = docker(List.of("pause", c.id()));
    for (int attempt = 1; attempt < PAUSE_ATTEMPTS && !result.ok(); attempt++) {
      if (!result.err().contains("unable to freeze")) {
        break;
      }
      LOG.warn("docker pause {}: {}; trying again", c.name(), result.err().strip());
      result = docker(List.of("pause", c.id()));
    }
    result.orThrow();
  }

  void unpause(Container c) {
    docker(List.of("unpause", c.id())).orThrow();
  }

  Shell.Result compose(String... args) {
    return Shell.run(dir, DOCKER_TIMEOUT, composeArgs(Arrays.asList(args)));
  }

  private List<String> composeArgs(List<String> args) {
    List<String> command = new ArrayList<>();
    if (!environment.isEmpty()) {
      command.add("env");
      environment.forEach((name, value) -> command.add(name + "=" + value));
    }
    command.addAll(compose);
    command.add("-p");
    command.add(project);
    for (String file : FILES) {
      command.add("-f");
      command.add(file);
    }
    command.addAll(args);
    return command;
  }

  private Shell.Result docker(List<String> args) {
    return Shell.run(dir, DOCKER_TIMEOUT, with(List.of("docker"), args.toArray(String[]::new)));
  }

  private static List<String> with(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(Arrays.asList(tail));
    return all;
  }
}
