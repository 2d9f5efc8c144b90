package io.changecast.mongostandin;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code mongosh} command line the stand-in accepts: {@code [--quiet] [--norc] [--host H[:P]]
 * [--port N] [URI | DB | H:P/DB] --eval JS [--eval JS ...]} (flags also as {@code --flag=value}),
 * and {@code --help}. Without a host it connects to {@code 127.0.0.1:27017}, database {@code test},
 * as {@code mongosh} does.
 *
 * @param connectionString a MongoDB connection string for the target
 * @param scripts the {@code --eval} scripts, in order
 * @param quiet whether {@code --quiet} was given (the stand-in prints no banner either way)
 * @param help whether {@code --help} was given
 */
public record MongoshArgs(
    String connectionString, List<String> scripts, boolean quiet, boolean help) {

  /** The flags this stand-in supports, as listed in usage errors. */
  public static final List<String> SUPPORTED =
      List.of(
          "--quiet",
          "--norc",
          "--host HOST[:PORT]",
          "--port N",
          "--eval JS",
          "--help",
          "a connection string mongodb://...",
          "a database address DB or HOST:PORT/DB");

  /** A one-paragraph usage text. */
  public static final String USAGE =
      "Usage: mongosh [--quiet] [--host HOST[:PORT]] [--port N] [mongodb://URI | DB |"
          + " HOST:PORT/DB] --eval JS\n"
          + "Changecast's stand-in for mongosh: evaluates the --eval scripts (Nashorn) with db, rs,"
          + " sleep, print and printjson,\nprints the last value, and exits non-zero when a script"
          + " throws or the server is unreachable.";

  /** Parses {@code args}; an option it does not support is a {@link UsageException}. */
  public static MongoshArgs parse(String... args) throws UsageException {
    String host = null;
    String port = null;
    String address = null;
    boolean quiet = false;
    boolean help = false;
    List<String> scripts = new ArrayList<>();
    CommandLine line = new CommandLine(args);
    while (line.hasNext()) {
      CommandLine.Arg arg = line.next();
      String flag = arg.flag();
      String inline = arg.inline();
      switch (flag) {
        case "--quiet" -> quiet = true;
        case "--norc" -> {
          // there is no .mongoshrc.js to skip
        }
        case "--host" -> host = line.value(arg, true);
        case "--port" -> port = line.value(arg, true);
        case "--eval" -> scripts.add(line.value(arg, true));
        case "--help", "-h" -> help = true;
        default -> {
          if (arg.raw().startsWith("-")) {
            throw new UsageException(
                "unknown option "
                    + arg.raw()
                    + "; this mongosh stand-in supports "
                    + String.join(", ", SUPPORTED));
          }
          if (address != null) {
            throw new UsageException(
                "only one connection string or database address can be given, got "
                    + address
                    + " and "
                    + arg.raw()
                    + " (script files are not supported: use --eval)");
          }
          address = arg.raw();
        }
      }
    }
    if (!help && scripts.isEmpty()) {
      throw new UsageException(
          "--eval JS is required: this mongosh stand-in has no interactive shell");
    }
    return new MongoshArgs(connectionString(address, host, port), scripts, quiet, help);
  }

  private static String connectionString(String address, String host, String port)
      throws UsageException {
    if (address != null && address.matches("(?i)mongodb(\\+srv)?://.*")) {
      if (host != null || port != null) {
        throw new UsageException("--host and --port cannot be combined with a connection string");
      }
      return address;
    }
    String database = "test";
    String target = "127.0.0.1:27017";
    if (address != null) {
      int slash = address.indexOf('/');
      if (slash >= 0) {
        target = address.substring(0, slash);
        database = address.substring(slash + 1);
      } else if (address.contains(":") || address.contains(".")) {
        target = address;
      } else {
        database = address;
      }
    }
    if (host != null) {
      if (host.contains("/") || host.contains(",")) {
        throw new UsageException(
            "--host takes one HOST[:PORT] here (replica set seed lists are not supported), was \""
                + host
                + "\"");
      }
      target = host;
    }
    if (port != null) {
      if (!port.matches("\\d{1,5}")) {
        throw new UsageException("--port needs a number, was \"" + port + "\"");
      }
      int colon = target.lastIndexOf(':');
      target = (colon >= 0 ? target.substring(0, colon) : target) + ":" + port;
    }
    return "mongodb://" + target + "/" + database;
  }
}
