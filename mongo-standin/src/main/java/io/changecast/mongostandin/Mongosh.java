package io.changecast.mongostandin;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.connection.ClusterConnectionMode;
import io.changecast.mongostandin.internal.Shell;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import org.bson.Document;

/**
 * {@code mongosh} of the stand-in image: connects (directly to a single host unless the connection
 * string names a replica set, giving up after {@value #TIMEOUT_SECONDS} s), then evaluates each
 * {@code --eval} script with a real JavaScript engine and prints the value of its last expression.
 * Exit code 0 when every script ran, 1 when one threw or the server is unreachable, 2 for a command
 * line it does not accept.
 */
public final class Mongosh {

  /** Server selection and connect timeout, unless the connection string sets them. */
  static final int TIMEOUT_SECONDS = 3;

  private Mongosh() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      // the shell's standard output is for the script's output: log only warnings, to stderr
      System.setProperty("logback.configurationFile", "mongosh-logback.xml");
    }
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line; the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    MongoshArgs parsed;
    try {
      parsed = MongoshArgs.parse(args);
    } catch (UsageException e) {
      err.println("mongosh: " + e.getMessage());
      err.println(MongoshArgs.USAGE);
      return UsageException.EXIT_CODE;
    }
    if (parsed.help()) {
      out.println(MongoshArgs.USAGE);
      return 0;
    }
    ConnectionString uri;
    try {
      uri = new ConnectionString(parsed.connectionString());
    } catch (IllegalArgumentException e) {
      err.println("MongoParseError: " + e.getMessage());
      return UsageException.EXIT_CODE;
    }
    try (MongoClient client = MongoClients.create(settings(uri))) {
      String database = uri.getDatabase() == null ? "test" : uri.getDatabase();
      try {
        // mongosh connects before it evaluates anything: an unreachable server fails here
        client.getDatabase("admin").runCommand(new Document("ping", 1));
      } catch (MongoException e) {
        err.println("MongoServerSelectionError: " + e.getMessage());
        return 1;
      }
      Shell shell = new Shell(client, database, out);
      for (String script : parsed.scripts()) {
        String error = shell.evaluate(script);
        if (error != null) {
          err.println(error);
          return 1;
        }
      }
      return 0;
    }
  }

  /** mongosh's defaults: a direct connection to a single host without a replica set name. */
  static MongoClientSettings settings(ConnectionString uri) {
    MongoClientSettings.Builder builder =
        MongoClientSettings.builder().applyConnectionString(uri).applicationName("mongosh");
    if (uri.getApplicationName() != null) {
      builder.applicationName(uri.getApplicationName());
    }
    builder.applyToClusterSettings(
        cluster -> {
          if (uri.getServerSelectionTimeout() == null) {
            cluster.serverSelectionTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          }
          if (uri.isDirectConnection() == null
              && uri.getRequiredReplicaSetName() == null
              && uri.getHosts().size() == 1
              && !uri.isSrvProtocol()) {
            cluster.mode(ClusterConnectionMode.SINGLE);
          }
        });
    builder.applyToSocketSettings(
        socket -> {
          if (uri.getConnectTimeout() == null) {
            socket.connectTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          }
        });
    return builder.build();
  }
}
