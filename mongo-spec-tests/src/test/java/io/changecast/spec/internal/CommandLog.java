package io.changecast.spec.internal;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A client entity's command monitoring events, as {@code observeEvents} and {@code
 * ignoreCommandMonitoringEvents} select them. {@code configureFailPoint} and (unless {@code
 * observeSensitiveCommands}) the sensitive commands are never recorded, as the format requires.
 */
public final class CommandLog implements CommandListener {

  /** One recorded event. */
  public sealed interface Event permits Started, Succeeded, Failed {
    String commandName();

    String databaseName();
  }

  /** A {@code commandStartedEvent}. */
  public record Started(String commandName, String databaseName, BsonDocument command)
      implements Event {}

  /** A {@code commandSucceededEvent}. */
  public record Succeeded(String commandName, String databaseName, BsonDocument reply)
      implements Event {}

  /** A {@code commandFailedEvent}. */
  public record Failed(String commandName, String databaseName, Throwable failure)
      implements Event {}

  private static final Set<String> SENSITIVE =
      Set.of(
          "authenticate",
          "saslstart",
          "saslcontinue",
          "getnonce",
          "createuser",
          "updateuser",
          "copydbgetnonce",
          "copydbsaslstart",
          "copydb",
          "hello",
          "ismaster");

  private final Set<String> observe;
  private final Set<String> ignore;
  private final boolean observeSensitive;
  private final List<Event> events = new ArrayList<>();

  public CommandLog(Set<String> observe, Set<String> ignore, boolean observeSensitive) {
    this.observe = observe;
    this.ignore = ignore;
    this.observeSensitive = observeSensitive;
  }

  /** The events recorded so far. */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  @Override
  public void commandStarted(CommandStartedEvent event) {
    record(
        "commandStartedEvent",
        new Started(event.getCommandName(), event.getDatabaseName(), copy(event.getCommand())));
  }

  @Override
  public void commandSucceeded(CommandSucceededEvent event) {
    record(
        "commandSucceededEvent",
        new Succeeded(event.getCommandName(), event.getDatabaseName(), copy(event.getResponse())));
  }

  @Override
  public void commandFailed(CommandFailedEvent event) {
    record(
        "commandFailedEvent",
        new Failed(event.getCommandName(), event.getDatabaseName(), event.getThrowable()));
  }

  /** A mutable copy (the driver's documents may be raw, immutable views of a buffer). */
  static BsonDocument copy(BsonDocument document) {
    BsonDocument copy = new BsonDocument();
    document.forEach((key, value) -> copy.put(key, copy(value)));
    return copy;
  }

  private static BsonValue copy(BsonValue value) {
    if (value.isDocument()) {
      return copy(value.asDocument());
    }
    if (value.isArray()) {
      BsonArray array = new BsonArray();
      value.asArray().forEach(element -> array.add(copy(element)));
      return array;
    }
    return value;
  }

  private synchronized void record(String type, Event event) {
    String name = event.commandName();
    if (!observe.contains(type)
        || ignore.contains(name)
        || name.equals("configureFailPoint")
        || (!observeSensitive && SENSITIVE.contains(name.toLowerCase(Locale.ROOT)))) {
      return;
    }
    events.add(event);
  }
}
