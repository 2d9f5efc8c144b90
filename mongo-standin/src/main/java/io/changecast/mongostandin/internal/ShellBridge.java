package io.changecast.mongostandin.internal;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoClient;
import java.io.PrintStream;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.ObjectId;

/**
 * What the shell's JavaScript ({@code shell.js}) calls: commands go to the server as Extended JSON
 * and come back as relaxed Extended JSON, error replies included, so the script side decides what
 * throws. Public for Nashorn; not an API.
 */
public final class ShellBridge {

  private static final JsonWriterSettings RELAXED =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

  private final MongoClient client;
  private final PrintStream out;

  public ShellBridge(MongoClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  /**
   * Runs {@code commandJson} on {@code database}; the reply as relaxed Extended JSON, {@code ok: 0}
   * replies included. Network and server-selection failures are thrown (a JavaScript {@code catch}
   * catches them).
   */
  public String command(String database, String commandJson) {
    try {
      return client.getDatabase(database).runCommand(Document.parse(commandJson)).toJson(RELAXED);
    } catch (MongoCommandException e) {
      return e.getResponse().toJson(RELAXED);
    }
  }

  /** A fresh ObjectId, as hex. */
  public String newObjectId() {
    return new ObjectId().toHexString();
  }

  /** Sleeps {@code millis} milliseconds (the shell's {@code sleep}). */
  public void sleep(double millis) throws InterruptedException {
    Thread.sleep((long) Math.max(0, millis));
  }

  /** Prints a line on standard output. */
  public void println(String line) {
    out.println(line);
    out.flush();
  }
}
