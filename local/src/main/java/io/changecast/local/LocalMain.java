package io.changecast.local;

import io.changecast.local.internal.ConsoleFilter;
import io.changecast.local.internal.LogFile;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * {@code ./changecast local}: runs the whole pipeline on loopback until Ctrl-C. Everything the
 * options name (ports, files, edge settings) is checked before anything starts ({@link
 * StartupCheck}); a problem is one line naming the flag, the value and what to do, and exit code
 * {@value #USAGE}.
 */
public final class LocalMain {

  /** Stopped with Ctrl-C after a successful start. */
  static final int OK = 0;

  /** A part failed to start although the checks passed (details in the log file). */
  static final int START_FAILED = 1;

  /** Bad options: unknown or malformed, a busy port, an unreadable file, invalid edge settings. */
  static final int USAGE = 2;

  private static final Logger log = LoggerFactory.getLogger(LocalMain.class);
  private static final Marker FILE_ONLY = MarkerFactory.getMarker(ConsoleFilter.FILE_ONLY);
  private static final long DEMO_PERIOD_MILLIS = 1000;

  private LocalMain() {}

  public static void main(String[] args) throws InterruptedException {
    int code = run(args, System.out, System.err, LocalStack::start);
    if (code != OK) {
      System.exit(code);
    }
  }

  /**
   * Parses and checks {@code args}, then starts the stack with {@code starter} and runs until the
   * JVM shuts down; returns the exit code. Nothing is started when a check fails.
   */
  static int run(
      String[] args, PrintStream out, PrintStream err, Function<LocalOptions, LocalStack> starter)
      throws InterruptedException {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.print(LocalOptions.USAGE);
      return OK;
    }
    LocalOptions options;
    try {
      options = LocalOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(
          "changecast local: "
              + firstLine(e.getMessage())
              + " (./changecast local --help lists the options)");
      return USAGE;
    }
    List<StartupCheck.Problem> problems = StartupCheck.check(options);
    if (!problems.isEmpty()) {
      problems.forEach(p -> err.println(p.render()));
      return USAGE;
    }
    // with auth off the edge warns on its own, and the banner says so: no third warning here
    LocalStack stack;
    try {
      stack = starter.apply(options);
    } catch (RuntimeException e) {
      log.error(FILE_ONLY, "Changecast local could not start", e);
      err.println(
          "changecast local: could not start: "
              + firstLine(rootCause(e))
              + LogFile.path().map(f -> " (details in " + f + ")").orElse(""));
      return START_FAILED;
    }
    DemoWriter demo =
        options.demo() ? DemoWriter.start(stack.mongoConnectionString(), DEMO_PERIOD_MILLIS) : null;

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("Stopping Changecast local...");
                  if (demo != null) {
                    demo.close();
                  }
                  stack.close();
                  stopped.countDown();
                },
                "changecast-shutdown"));

    printUrls(out, stack, options.demo(), options.authEnabled());
    stopped.await();
    return OK;
  }

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    String outer = e.getMessage();
    if (cause == e || outer == null) {
      return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
    return outer
        + " ("
        + cause.getClass().getSimpleName()
        + (message == null ? "" : ": " + message)
        + ")";
  }

  private static String firstLine(String text) {
    String message = text == null ? "" : text;
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  static void printUrls(PrintStream out, LocalStack stack, boolean demo, boolean auth) {
    String edge = stack.edgeUrl().toString();
    out.println();
    out.println(
        auth
            ? "Changecast local is running. Auth is ON (--edge auth.* settings)."
            : "Changecast local is running. Auth is OFF (local mode only).");
    out.printf("  Live viewer:              %s/?tenant=%s%n", edge, DemoWriter.TENANTS.get(0));
    for (String tenant : DemoWriter.TENANTS) {
      out.printf(
          "  SSE stream (%s):%s %s/v1/tenants/%s/events%n", tenant, pad(tenant), edge, tenant);
    }
    out.printf("  Try:                      curl -N %s/v1/tenants/acme/events%n", edge);
    out.printf(
        "  Replay from id 5:         curl -N -H 'Last-Event-ID: 5' %s/v1/tenants/acme/events%n",
        edge);
    out.printf("  Health / metrics:         %s/health/ready  %s/metrics%n", edge, edge);
    out.printf(
        "  MongoDB (write here):     %s  (database app, tenant field tenantId)%n",
        stack.mongoConnectionString());
    out.printf("  Kafka bootstrap:          %s%n", stack.kafkaBootstrapServers());
    out.printf("  Kafka Connect REST:       %s%n", stack.connectUrl());
    LogFile.path()
        .ifPresent(
            file -> out.printf("  Log file:                 %s  (all other output)%n", file));
    out.println(
        demo
            ? "  Demo writer: on (tenants acme and globex; --no-demo turns it off)"
            : "  Demo writer: off");
    out.println("Press Ctrl-C to stop.");
    out.println("READY " + edge);
    out.flush();
  }

  private static String pad(String tenant) {
    return " ".repeat(Math.max(0, 8 - tenant.length()));
  }
}
