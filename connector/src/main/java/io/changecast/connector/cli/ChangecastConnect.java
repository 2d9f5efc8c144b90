package io.changecast.connector.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.connector.cli.internal.Args;
import io.changecast.connector.cli.internal.CliMain;
import io.changecast.connector.cli.internal.ConnectClient;
import io.changecast.connector.cli.internal.DryRun;
import io.changecast.connector.config.ChangecastConfigValidator;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.source.ChangecastSourceChecks;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code changecast-connect}: validate, dry-run, deploy and inspect connector config files (the
 * Connect REST bodies of {@code connect-configs/}).
 *
 * <pre>
 * validate FILE...                       offline: unknown keys, official ConfigDef validation, Changecast checks
 * dry-run FILE --sample docs.json        tenants, types and raw topics the samples would produce
 * deploy FILE... --connect URL           idempotent PUT /connectors/{name}/config
 * status [NAME] --connect URL            connector and task states
 * </pre>
 *
 * <p>Exit codes: {@value #OK} success; {@value #FAILED} invalid config, rejected deploy, failed or
 * missing connector, dead-lettered sample; {@value #USAGE} bad command line, unreadable file, or
 * Connect unreachable.
 */
public final class ChangecastConnect {

  /** Success. */
  public static final int OK = 0;

  /** Something checked was wrong: an invalid config, a rejected deploy, a failed connector. */
  public static final int FAILED = 1;

  /** The command could not run: bad arguments, unreadable files, Connect unreachable. */
  public static final int USAGE = 2;

  /** Default Kafka Connect REST URL. */
  public static final String DEFAULT_CONNECT_URL = "http://localhost:8083";

  /** Environment variable overriding {@link #DEFAULT_CONNECT_URL}. */
  public static final String CONNECT_URL_ENV = "CHANGECAST_CONNECT_URL";

  private static final String USAGE_TEXT =
      """
      usage: changecast-connect <command> [options]
        validate FILE...                  validate connector configs offline
            [--raw-topic-pattern REGEX]   the router's raw.topic.pattern (default changecast\\.raw\\..*)
            [--raw-partitions N]          the router's raw.partitions (default 1)
        dry-run FILE --sample DOCS.json   show tenant, type and raw topic of sample documents
            [--tenant-strategy SPEC]      the router's tenant.strategy: field:<path>, database,
                                          collection-prefix:<sep> or static:<tenant>
            [--tenant-field PATH]         the router's tenant.field (default tenantId)
            [--tenant-database]           tenant = database name (database-per-tenant)
            [--collection NAME]           collection of plain sample documents
        deploy FILE... [--connect URL]    create or update connectors (PUT /connectors/NAME/config)
            [--skip-validate]             deploy even if offline validation fails
        status [NAME] [--connect URL]     show connector and task states
      FILE is a Connect REST body {"name", "config"} or just its config object.
      --connect defaults to $CHANGECAST_CONNECT_URL, else http://localhost:8083.
      exit codes: 0 ok, 1 checks failed, 2 usage or I/O error""";

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;

  /** A CLI printing to {@code out} and {@code err}, reading {@code env} for defaults. */
  public ChangecastConnect(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    CliMain.exit((out, err, env) -> new ChangecastConnect(out, err, env).run(args));
  }

  /** Runs one command; returns the exit code. */
  public int run(String... args) {
    if (args.length == 0 || Set.of("-h", "--help", "help").contains(args[0])) {
      (args.length == 0 ? err : out).println(USAGE_TEXT);
      return args.length == 0 ? USAGE : OK;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      return switch (args[0]) {
        case "validate" -> validate(rest);
        case "dry-run" -> dryRun(rest);
        case "deploy" -> deploy(rest);
        case "status" -> status(rest);
        default -> throw new Args.UsageException("unknown command " + args[0]);
      };
    } catch (Args.UsageException e) {
      err.println("changecast-connect: " + e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    } catch (InvalidFile e) {
      out.println(e.getMessage());
      return FAILED;
    } catch (ConnectClient.ConnectUnreachable e) {
      err.println("changecast-connect: Kafka Connect unreachable: " + e.getMessage());
      return USAGE;
    }
  }

  private int validate(List<String> argv) {
    Args args = Args.parse(argv, Set.of("--raw-topic-pattern", "--raw-partitions"), Set.of());
    if (args.positional().isEmpty()) {
      throw new Args.UsageException("validate needs at least one FILE");
    }
    ChangecastConfigValidator validator = validator(args);
    boolean failed = false;
    int errors = 0;
    for (String name : args.positional()) {
      Path file = Path.of(name);
      ConnectorConfigFile config;
      try {
        config = read(file);
      } catch (InvalidFile e) {
        out.println(e.getMessage());
        failed = true;
        errors++;
        continue;
      }
      List<ConfigProblem> problems = validator.validate(config);
      long fileErrors = problems.stream().filter(ConfigProblem::isError).count();
      problems.forEach(p -> out.println(p.render(file)));
      if (fileErrors == 0) {
        out.println(file + ": OK (" + config.name() + ")");
      }
      failed |= fileErrors > 0;
      errors += (int) fileErrors;
    }
    out.println(args.positional().size() + " file(s) checked, " + errors + " error(s)");
    return failed ? FAILED : OK;
  }

  private int dryRun(List<String> argv) {
    Args args =
        Args.parse(
            argv,
            Set.of("--sample", "--tenant-strategy", "--tenant-field", "--collection"),
            Set.of("--tenant-database"));
    if (args.positional().size() != 1) {
      throw new Args.UsageException("dry-run needs exactly one FILE");
    }
    String samples =
        args.option("--sample")
            .orElseThrow(() -> new Args.UsageException("dry-run needs --sample DOCS.json"));
    Path file = Path.of(args.positional().get(0));
    ConnectorConfigFile config = read(file);
    DryRun dryRun =
        new DryRun(
            config,
            DryRun.strategy(
                args.option("--tenant-strategy"),
                args.option("--tenant-field"),
                args.flag("--tenant-database")));
    if (dryRun.fullDocumentOnly()) {
      out.println(
          file
              + ": publish.full.document.only=true: with its "
              + ChangecastSourceChecks.FULL_DOCUMENT_PATTERN_KEY
              + " matching the raw topics, the router makes every document a <collection>.replaced"
              + " event and every tombstone (a delete) a <collection>.deleted event");
    }
    String collection = args.option("--collection").orElse(null);
    List<DryRun.Outcome> outcomes = new ArrayList<>();
    for (JsonNode sample : DryRun.readSamples(Path.of(samples))) {
      outcomes.add(dryRun.evaluate(sample, collection));
    }
    DryRun.describe(outcomes).forEach(out::println);
    boolean dead =
        outcomes.stream()
            .anyMatch(
                o ->
                    o instanceof DryRun.Outcome.DeadLettered
                        || o instanceof DryRun.Outcome.Invalid);
    return dead ? FAILED : OK;
  }

  private int deploy(List<String> argv) throws ConnectClient.ConnectUnreachable {
    Args args = Args.parse(argv, Set.of("--connect"), Set.of("--skip-validate"));
    if (args.positional().isEmpty()) {
      throw new Args.UsageException("deploy needs at least one FILE");
    }
    ConnectClient client = client(args);
    List<ConnectorConfigFile> configs = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (String name : args.positional()) {
      configs.add(read(Path.of(name)));
      files.add(Path.of(name));
    }
    if (!args.flag("--skip-validate")) {
      ChangecastConfigValidator validator = ChangecastConfigValidator.withDefaults();
      boolean invalid = false;
      for (int i = 0; i < configs.size(); i++) {
        for (ConfigProblem problem : validator.validate(configs.get(i))) {
          if (problem.isError()) {
            out.println(problem.render(files.get(i)));
            invalid = true;
          }
        }
      }
      if (invalid) {
        out.println("not deployed: fix the errors above, or pass --skip-validate");
        return FAILED;
      }
    }
    boolean failed = false;
    for (int i = 0; i < configs.size(); i++) {
      ConnectorConfigFile config = configs.get(i);
      ConnectClient.Response response = client.putConfig(config.name(), config.config());
      switch (response.status()) {
        case 201 ->
            out.println(
                files.get(i) + ": created connector " + config.name() + " on " + client.base());
        case 200 ->
            out.println(
                files.get(i) + ": updated connector " + config.name() + " on " + client.base());
        default -> {
          failed = true;
          out.println(
              files.get(i)
                  + ": "
                  + client.base()
                  + " rejected connector "
                  + config.name()
                  + " with HTTP "
                  + response.status()
                  + ": "
                  + response.message());
        }
      }
    }
    return failed ? FAILED : OK;
  }

  private int status(List<String> argv) throws ConnectClient.ConnectUnreachable {
    Args args = Args.parse(argv, Set.of("--connect"), Set.of());
    if (args.positional().size() > 1) {
      throw new Args.UsageException("status takes at most one connector NAME");
    }
    ConnectClient client = client(args);
    if (args.positional().size() == 1) {
      String name = args.positional().get(0);
      ConnectClient.Response response = client.status(name);
      if (response.status() == 404) {
        out.println(name + ": no such connector on " + client.base());
        return FAILED;
      }
      if (response.status() != 200) {
        out.println(name + ": HTTP " + response.status() + ": " + response.message());
        return FAILED;
      }
      return printStatus(name, response.body()) ? OK : FAILED;
    }
    ConnectClient.Response response = client.statuses();
    if (response.status() != 200) {
      out.println(client.base() + ": HTTP " + response.status() + ": " + response.message());
      return FAILED;
    }
    if (response.body().isEmpty()) {
      out.println("no connectors on " + client.base());
      return OK;
    }
    boolean healthy = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = response.body().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      healthy &= printStatus(e.getKey(), e.getValue().path("status"));
    }
    return healthy ? OK : FAILED;
  }

  /** Prints one connector's status; false when the connector or a task has failed. */
  private boolean printStatus(String name, JsonNode status) {
    JsonNode connector = status.path("connector");
    String state = connector.path("state").asText("UNKNOWN");
    boolean healthy = !"FAILED".equals(state);
    StringBuilder line =
        new StringBuilder(name)
            .append(": connector ")
            .append(state)
            .append(" on ")
            .append(connector.path("worker_id").asText("?"));
    String connectorTrace = firstLine(connector.path("trace").asText(""));
    if (!connectorTrace.isEmpty()) {
      line.append(" (").append(connectorTrace).append(")");
    }
    if (status.path("tasks").isEmpty()) {
      line.append("; no tasks");
    }
    for (JsonNode task : status.path("tasks")) {
      String taskState = task.path("state").asText("UNKNOWN");
      healthy &= !"FAILED".equals(taskState);
      line.append("; task ").append(task.path("id").asText("?")).append(' ').append(taskState);
      String trace = firstLine(task.path("trace").asText(""));
      if (!trace.isEmpty()) {
        line.append(" (").append(trace).append(")");
      }
    }
    out.println(line);
    return healthy;
  }

  private ConnectClient client(Args args) {
    return new ConnectClient(
        args.option("--connect").orElse(env.getOrDefault(CONNECT_URL_ENV, DEFAULT_CONNECT_URL)));
  }

  private static ChangecastConfigValidator validator(Args args) {
    String pattern =
        args.option("--raw-topic-pattern")
            .orElse(ChangecastConfigValidator.DEFAULT_RAW_TOPIC_PATTERN);
    String partitions = args.option("--raw-partitions").orElse("1");
    int rawPartitions;
    try {
      rawPartitions = Integer.parseInt(partitions.trim());
    } catch (NumberFormatException e) {
      rawPartitions = 0;
    }
    if (rawPartitions < 1) {
      throw new Args.UsageException(
          "--raw-partitions: found \"" + partitions + "\", expected a whole number >= 1");
    }
    try {
      return new ChangecastConfigValidator(pattern, rawPartitions);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new Args.UsageException(
          "--raw-topic-pattern: found \"" + pattern + "\", expected a regular expression");
    }
  }

  /**
   * Reads a config file.
   *
   * @throws Args.UsageException when the file does not exist or cannot be read (exit 2)
   * @throws InvalidFile when it is not a Connect REST body (exit 1)
   */
  private static ConnectorConfigFile read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new Args.UsageException(file + ": no such file");
    }
    try {
      return ConnectorConfigFile.read(file);
    } catch (UncheckedIOException e) {
      throw new Args.UsageException(e.getMessage() + ": " + e.getCause().getMessage());
    } catch (IllegalArgumentException e) {
      throw new InvalidFile(e.getMessage());
    }
  }

  /** A config file that is not a Connect REST body {@code {"name", "config"}}. */
  private static final class InvalidFile extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidFile(String message) {
      super(message);
    }
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return (nl < 0 ? text : text.substring(0, nl)).trim();
  }
}
