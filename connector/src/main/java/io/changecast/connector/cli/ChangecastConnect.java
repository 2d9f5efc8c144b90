package io.changecast.connector.cli;

import io.changecast.connector.cli.internal.Args;
import io.changecast.connector.cli.internal.CliMain;
import io.changecast.connector.cli.internal.ConfigFiles;
import io.changecast.connector.cli.internal.ConnectClient;
import io.changecast.connector.cli.internal.ConnectCommand;
import java.io.PrintStream;
import java.util.Arrays;
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
    String connectUrl = env.getOrDefault(CONNECT_URL_ENV, DEFAULT_CONNECT_URL);
    try {
      return ConnectCommand.named(args[0], out, connectUrl).run(rest) ? OK : FAILED;
    } catch (Args.UsageException e) {
      err.println("changecast-connect: " + e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    } catch (ConfigFiles.InvalidFile e) {
      out.println(e.getMessage());
      return FAILED;
    } catch (ConnectClient.ConnectUnreachable e) {
      err.println("changecast-connect: Kafka Connect unreachable: " + e.getMessage());
      return USAGE;
    }
  }
}
