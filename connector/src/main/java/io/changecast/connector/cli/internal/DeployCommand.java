package io.changecast.connector.cli.internal;

import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.validate.ChangecastConfigValidator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code deploy FILE...}: validates, then creates or updates connectors (idempotent PUT). */
record DeployCommand(PrintStream out, String connectUrl) implements ConnectCommand {

  @Override
  public boolean run(List<String> argv) throws ConnectClient.ConnectUnreachable {
    Args args = Args.parse(argv, Set.of("--connect"), Set.of("--skip-validate"));
    if (args.positional().isEmpty()) {
      throw new Args.UsageException("deploy needs at least one FILE");
    }
    ConnectClient client = new ConnectClient(args.option("--connect").orElse(connectUrl));
    List<ConnectorConfigFile> configs = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (String name : args.positional()) {
      configs.add(ConfigFiles.read(Path.of(name)));
      files.add(Path.of(name));
    }
    if (!args.flag("--skip-validate") && !valid(configs, files)) {
      out.println("not deployed: fix the errors above, or pass --skip-validate");
      return false;
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
    return !failed;
  }

  /** Prints the errors of the offline validation; true when there are none. */
  private boolean valid(List<ConnectorConfigFile> configs, List<Path> files) {
    ChangecastConfigValidator validator = ChangecastConfigValidator.withDefaults();
    boolean valid = true;
    for (int i = 0; i < configs.size(); i++) {
      for (ConfigProblem problem : validator.validate(configs.get(i))) {
        if (problem.isError()) {
          out.println(problem.render(files.get(i)));
          valid = false;
        }
      }
    }
    return valid;
  }
}
