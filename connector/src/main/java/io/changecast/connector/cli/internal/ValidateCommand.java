package io.changecast.connector.cli.internal;

import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.validate.ChangecastConfigValidator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/** {@code validate FILE...}: offline checks of connector configs against the router's settings. */
record ValidateCommand(PrintStream out) implements ConnectCommand {

  @Override
  public boolean run(List<String> argv) {
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
        config = ConfigFiles.read(file);
      } catch (ConfigFiles.InvalidFile e) {
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
    return !failed;
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
    } catch (PatternSyntaxException e) {
      throw new Args.UsageException(
          "--raw-topic-pattern: found \"" + pattern + "\", expected a regular expression");
    }
  }
}
