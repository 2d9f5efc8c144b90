package io.changecast.connector.cli.internal;

import java.io.PrintStream;
import java.util.Map;

/** A command-line tool's {@code main}: runs it on the process's streams and exits with its code. */
public final class CliMain {

  /** A command run on the given streams and environment, returning its exit code. */
  @FunctionalInterface
  public interface Command {
    int run(PrintStream out, PrintStream err, Map<String, String> env);
  }

  private CliMain() {}

  /** Runs {@code command} on {@link System#out}, {@link System#err} and the environment, exits. */
  public static void exit(Command command) {
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR"); // no "no provider" noise
    }
    System.exit(command.run(System.out, System.err, System.getenv()));
  }
}
