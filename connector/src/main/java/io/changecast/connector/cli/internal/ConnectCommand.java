package io.changecast.connector.cli.internal;

import java.io.PrintStream;
import java.util.List;

/**
 * One {@code changecast-connect} command. A command reports to {@code out}, throws {@link
 * Args.UsageException} for a bad command line, {@link ConfigFiles.InvalidFile} for a file that is
 * not a connector config and {@link ConnectClient.ConnectUnreachable} when Connect does not answer.
 */
public sealed interface ConnectCommand
    permits ValidateCommand, DryRunCommand, DeployCommand, StatusCommand {

  /** Runs with the command's arguments; false when something checked was wrong. */
  boolean run(List<String> argv) throws ConnectClient.ConnectUnreachable;

  /**
   * The command called {@code name}, printing to {@code out}; {@code connectUrl} is the Connect
   * REST URL used when no {@code --connect} is given.
   *
   * @throws Args.UsageException when there is no such command
   */
  static ConnectCommand named(String name, PrintStream out, String connectUrl) {
    return switch (name) {
      case "validate" -> new ValidateCommand(out);
      case "dry-run" -> new DryRunCommand(out);
      case "deploy" -> new DeployCommand(out, connectUrl);
      case "status" -> new StatusCommand(out, connectUrl);
      default -> throw new Args.UsageException("unknown command " + name);
    };
  }
}
