package io.changecast.mongostandin;

import java.util.List;

/**
 * The {@code mongod} command line the stand-in accepts: {@code --replSet NAME}, {@code
 * --bind_ip_all}, {@code --bind_ip HOST}, {@code --port N} (each also as {@code --flag=value}), and
 * {@code --help}. Defaults are {@code mongod}'s: loopback, port 27017, standalone.
 *
 * @param replicaSet the replica set name, or {@code null} for a standalone server
 * @param bindIp the address to listen on ({@code 0.0.0.0} for {@code --bind_ip_all})
 * @param port the port to listen on
 * @param help whether {@code --help} was given
 */
public record MongodArgs(String replicaSet, String bindIp, int port, boolean help) {

  /** The flags this stand-in supports, as listed in usage errors. */
  public static final List<String> SUPPORTED =
      List.of("--replSet NAME", "--bind_ip_all", "--bind_ip HOST", "--port N", "--help");

  /** The default port. */
  public static final int DEFAULT_PORT = 27017;

  /** A one-paragraph usage text. */
  public static final String USAGE =
      "Usage: mongod [--replSet NAME] [--bind_ip_all | --bind_ip HOST] [--port N]\n"
          + "Changecast's stand-in for mongod: an in-memory MongoDB (no data files) with"
          + " change streams;\nwith --replSet it is a single-member replica set member that"
          + " waits for rs.initiate().";

  /** Parses {@code args}; a flag it does not support is a {@link UsageException}. */
  public static MongodArgs parse(String... args) throws UsageException {
    String replicaSet = null;
    String bindIp = "127.0.0.1";
    boolean bindAll = false;
    boolean bindIpGiven = false;
    int port = DEFAULT_PORT;
    boolean help = false;
    CommandLine line = new CommandLine(args);
    while (line.hasNext()) {
      CommandLine.Arg arg = line.next();
      String flag = arg.flag();
      String inline = arg.inline();
      switch (flag) {
        case "--replSet" -> {
          replicaSet = line.value(arg, false);
          if (replicaSet.isBlank() || replicaSet.contains("/")) {
            throw new UsageException(
                "--replSet needs a replica set name (seed lists \"name/host,...\" are not"
                    + " supported), was \""
                    + replicaSet
                    + "\"");
          }
        }
        case "--bind_ip_all" -> {
          if (inline != null) {
            throw new UsageException("--bind_ip_all takes no value, was given \"" + inline + "\"");
          }
          bindAll = true;
        }
        case "--bind_ip" -> {
          bindIp = line.value(arg, false);
          bindIpGiven = true;
          if (bindIp.isBlank() || bindIp.contains(",")) {
            throw new UsageException(
                "--bind_ip takes one host or address here (lists are not supported), was \""
                    + bindIp
                    + "\"");
          }
        }
        case "--port" -> port = port(line.value(arg, false));
        case "--help", "-h" -> help = true;
        default ->
            throw new UsageException(
                "unknown option "
                    + arg.raw()
                    + "; this mongod stand-in supports "
                    + String.join(", ", SUPPORTED));
      }
    }
    if (bindAll && bindIpGiven) {
      throw new UsageException("--bind_ip and --bind_ip_all cannot both be given");
    }
    return new MongodArgs(replicaSet, bindAll ? "0.0.0.0" : bindIp, port, help);
  }

  private static int port(String value) throws UsageException {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65_535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--port needs a number from 0 to 65535, was \"" + value + "\"");
  }
}
