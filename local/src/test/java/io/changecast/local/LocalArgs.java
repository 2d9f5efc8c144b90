package io.changecast.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Command lines for {@code changecast local} in tests. */
final class LocalArgs {

  /** The shipped source connector config. */
  static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");

  private LocalArgs() {}

  /** The options with every port 0 (free), no demo, the shipped config, then {@code extra}. */
  static String[] withFreePorts(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--mongo-port",
                "0",
                "--kafka-port",
                "0",
                "--connect-port",
                "0",
                "--edge-port",
                "0",
                "--no-demo",
                "--connector-config",
                APP_SOURCE.toString()));
    args.addAll(Arrays.asList(extra));
    return args.toArray(String[]::new);
  }
}
