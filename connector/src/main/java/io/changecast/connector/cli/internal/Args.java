package io.changecast.connector.cli.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed command-line arguments: positional arguments, {@code --option value} (or {@code
 * --option=value}) and {@code --flag}.
 */
public final class Args {

  private final List<String> positional;
  private final Map<String, String> options;

  private Args(List<String> positional, Map<String, String> options) {
    this.positional = positional;
    this.options = options;
  }

  /**
   * Parses {@code args}; {@code withValue} are the options taking a value, {@code flags} those that
   * do not.
   *
   * @throws UsageException on an unknown option or a missing value
   */
  public static Args parse(List<String> args, Set<String> withValue, Set<String> flags) {
    List<String> positional = new ArrayList<>();
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        positional.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      if (flags.contains(name) && eq < 0) {
        options.put(name, "true");
      } else if (withValue.contains(name)) {
        if (eq >= 0) {
          options.put(name, arg.substring(eq + 1));
        } else if (i + 1 < args.size()) {
          options.put(name, args.get(++i));
        } else {
          throw new UsageException("option " + name + " needs a value");
        }
      } else {
        throw new UsageException("unknown option " + name);
      }
    }
    return new Args(List.copyOf(positional), Map.copyOf(options));
  }

  public List<String> positional() {
    return positional;
  }

  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  public boolean flag(String name) {
    return options.containsKey(name);
  }

  /** A command line the user got wrong: reported with the usage, exit code 2. */
  public static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }
}
