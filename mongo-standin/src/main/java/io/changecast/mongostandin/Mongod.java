package io.changecast.mongostandin;

import io.changecast.embedded.mongo.EmbeddedMongo;
import io.changecast.embedded.mongo.MongoOptions;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mongod} of the stand-in image: the embedded MongoDB, bound and named as the command line
 * says ({@link MongodArgs}), in memory. It runs until SIGTERM or SIGINT, then closes its clients'
 * connections and exits with status 0, as {@code mongod} does.
 */
public final class Mongod {

  /**
   * Change events retained for change streams. A real replica set's oplog is sized in bytes (5% of
   * the disk by default) and holds hours of writes; the embedded default of 10,000 events would be
   * under three minutes at 67 writes/s, so a Connect task moved to another worker could find its
   * resume token gone where MongoDB still has it.
   */
  static final int HISTORY_LIMIT = 1_000_000;

  private Mongod() {}

  public static void main(String[] args) {
    int exit = run(args, System.out, System.err);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** Starts the server and waits until the JVM shuts down; the exit code of a failed start. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    MongodArgs parsed;
    try {
      parsed = MongodArgs.parse(args);
    } catch (UsageException e) {
      err.println("mongod: " + e.getMessage());
      err.println(MongodArgs.USAGE);
      return UsageException.EXIT_CODE;
    }
    if (parsed.help()) {
      out.println(MongodArgs.USAGE);
      return 0;
    }
    Logger log = LoggerFactory.getLogger(Mongod.class);
    EmbeddedMongo mongo;
    try {
      mongo = start(parsed);
    } catch (RuntimeException e) {
      log.error("mongod could not listen on {}:{}", parsed.bindIp(), parsed.port(), e);
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Received a termination signal, shutting down");
                  mongo.close();
                  log.info("mongod stopped");
                  stopped.countDown();
                  System.out.flush();
                  // a signal's exit status would be 128 + signal; mongod's is 0 (no other hooks)
                  Runtime.getRuntime().halt(0);
                },
                "mongod-shutdown"));
    log.info(
        "Waiting for connections on {}:{}{}",
        parsed.bindIp(),
        mongo.port(),
        parsed.replicaSet() == null
            ? ""
            : " (replica set " + parsed.replicaSet() + ", not initiated: run rs.initiate())");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The server the parsed command line describes, listening. */
  static EmbeddedMongo start(MongodArgs args) {
    return EmbeddedMongo.start(
        MongoOptions.defaults()
            .withHost(args.bindIp())
            .withPort(args.port())
            .withHistoryLimit(HISTORY_LIMIT)
            .withReplicaSet(args.replicaSet()));
  }
}
