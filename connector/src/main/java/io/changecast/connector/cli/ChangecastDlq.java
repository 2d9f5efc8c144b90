package io.changecast.connector.cli;

import io.changecast.connector.cli.internal.Args;
import io.changecast.connector.cli.internal.CliMain;
import io.changecast.connector.cli.internal.DeadLetterPrinter;
import io.changecast.contract.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.KafkaException;

/**
 * {@code ./changecast dlq}: prints the router's dead letters ({@code changecast.dlq}) with the
 * reason headers it set ({@code changecast.error.reason}, {@code .detail}, {@code .stage}, and the
 * source {@code .topic}/{@code .partition}/{@code .offset}), key and value, from the first record
 * to the current end of the topic (or on, with {@code --follow}). It reads without a consumer
 * group: nothing is committed, nothing is consumed away from the router or anyone else.
 *
 * <p>Exit codes: {@value #OK} printed (none or some, a missing topic included); {@value #USAGE} bad
 * command line or Kafka unreachable.
 */
public final class ChangecastDlq {

  /** Printed. */
  public static final int OK = 0;

  /** Bad command line, Kafka unreachable. */
  public static final int USAGE = 2;

  /** The default bootstrap servers: {@code ./changecast local}'s broker on its default port. */
  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

  /** Environment variable overriding {@link #DEFAULT_BOOTSTRAP}. */
  public static final String BOOTSTRAP_ENV = "CHANGECAST_BOOTSTRAP_SERVERS";

  private static final String USAGE_TEXT =
      """
      usage: changecast dlq [options]
        prints the router's dead letters with their reason headers, key and value
        --bootstrap-server HOST:PORT  Kafka (default $CHANGECAST_BOOTSTRAP_SERVERS, else 127.0.0.1:9092)
        --topic NAME                  the router's dlq.topic (default changecast.dlq)
        --last N                      only the last N dead letters of each partition
        --follow                      keep printing new dead letters until Ctrl-C
      exit codes: 0 ok, 2 usage error or Kafka unreachable""";

  /** How long the command waits for Kafka to answer before it reports it unreachable. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final Duration connectTimeout;

  /** A command printing to {@code out} and {@code err}, reading {@code env} for defaults. */
  public ChangecastDlq(PrintStream out, PrintStream err, Map<String, String> env) {
    this(out, err, env, CONNECT_TIMEOUT);
  }

  /**
   * As {@link #ChangecastDlq(PrintStream, PrintStream, Map)}, waiting at most {@code
   * connectTimeout} (instead of {@link #CONNECT_TIMEOUT}) for each answer of Kafka.
   */
  public ChangecastDlq(
      PrintStream out, PrintStream err, Map<String, String> env, Duration connectTimeout) {
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
    }
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
    this.connectTimeout = connectTimeout;
  }

  public static void main(String[] args) {
    CliMain.exit((out, err, env) -> new ChangecastDlq(out, err, env).run(args));
  }

  /** Runs the command; returns the exit code. */
  public int run(String... args) {
    List<String> argv = Arrays.asList(args);
    if (argv.contains("--help") || argv.contains("-h")) {
      out.println(USAGE_TEXT);
      return OK;
    }
    Args parsed;
    long last;
    try {
      parsed =
          Args.parse(argv, Set.of("--bootstrap-server", "--topic", "--last"), Set.of("--follow"));
      if (!parsed.positional().isEmpty()) {
        throw new Args.UsageException("unexpected argument " + parsed.positional().get(0));
      }
      last = last(parsed);
    } catch (Args.UsageException e) {
      err.println("changecast dlq: " + e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    }
    String bootstrap =
        parsed
            .option("--bootstrap-server")
            .orElse(env.getOrDefault(BOOTSTRAP_ENV, DEFAULT_BOOTSTRAP));
    String topic = parsed.option("--topic").orElse(Topics.DLQ);
    try (DeadLetterPrinter printer = new DeadLetterPrinter(bootstrap, out)) {
      printer.print(topic, last, parsed.flag("--follow"), connectTimeout);
      return OK;
    } catch (KafkaException e) {
      err.println("changecast dlq: Kafka at " + bootstrap + ": " + e.getMessage());
      return USAGE;
    }
  }

  private static long last(Args args) {
    String value = args.option("--last").orElse(null);
    if (value == null) {
      return Long.MAX_VALUE;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new Args.UsageException("--last must be a positive whole number, got \"" + value + "\"");
  }
}
