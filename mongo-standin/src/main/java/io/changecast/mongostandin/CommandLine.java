package io.changecast.mongostandin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A command line read one argument at a time, as {@code mongod} and {@code mongosh} take it: {@code
 * --name value}, {@code --name=value}, or a bare word.
 */
final class CommandLine {

  /**
   * One argument as given ({@code raw}), its flag (or the bare word) and the value given after
   * {@code =}, if any.
   */
  record Arg(String raw, String flag, String inline) {}

  private final Deque<String> rest;

  CommandLine(String... args) {
    this.rest = new ArrayDeque<>(List.of(args));
  }

  boolean hasNext() {
    return !rest.isEmpty();
  }

  Arg next() {
    String arg = rest.removeFirst();
    int equals = arg.indexOf('=');
    if (arg.startsWith("--") && equals > 0) {
      return new Arg(arg, arg.substring(0, equals), arg.substring(equals + 1));
    }
    return new Arg(arg, arg, null);
  }

  /**
   * The value of {@code arg}: after its {@code =}, else the next argument (which may not start with
   * {@code --} unless {@code dashesAllowed}, e.g. a script).
   */
  String value(Arg arg, boolean dashesAllowed) throws UsageException {
    if (arg.inline() != null) {
      return arg.inline();
    }
    if (rest.isEmpty() || (!dashesAllowed && rest.peekFirst().startsWith("--"))) {
      throw new UsageException(arg.flag() + " needs a value");
    }
    return rest.removeFirst();
  }
}
