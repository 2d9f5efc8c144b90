package io.changecast.spec.internal;

import com.mongodb.client.ClientSession;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/** An operation's arguments; each must be read, so an unsupported one fails the test. */
final class Args {
  private final String operation;
  private final BsonDocument arguments;
  private final Entities entities;
  private final Set<String> used = new HashSet<>();

  Args(String operation, BsonDocument arguments, Entities entities) {
    this.operation = operation;
    this.arguments = arguments;
    this.entities = entities;
  }

  boolean has(String key) {
    return arguments.containsKey(key);
  }

  boolean isEmpty() {
    return arguments.isEmpty();
  }

  BsonValue value(String key) {
    BsonValue value = arguments.get(key);
    if (value == null) {
      throw new IllegalArgumentException(operation + " needs argument " + key);
    }
    used.add(key);
    return value;
  }

  String string(String key) {
    return value(key).asString().getValue();
  }

  int integer(String key) {
    return value(key).asNumber().intValue();
  }

  boolean bool(String key) {
    return value(key).asBoolean().getValue();
  }

  BsonDocument document(String key) {
    return value(key).asDocument();
  }

  List<BsonValue> array(String key) {
    return value(key).asArray().getValues();
  }

  List<BsonDocument> documents(String key) {
    List<BsonDocument> documents = new ArrayList<>();
    value(key).asArray().forEach(v -> documents.add(v.asDocument()));
    return documents;
  }

  List<BsonDocument> pipeline() {
    return has("pipeline") ? documents("pipeline") : List.of();
  }

  ClientSession session() {
    return entities.session(string("session"));
  }

  ClientSession optionalSession() {
    return has("session") ? session() : null;
  }

  /** The arguments not read yet. */
  List<String> remaining() {
    return arguments.keySet().stream().filter(k -> !used.contains(k)).toList();
  }

  /** The arguments not read yet, as a document; marks them read. */
  BsonDocument rest() {
    BsonDocument rest = new BsonDocument();
    for (String key : remaining()) {
      rest.put(key, value(key));
    }
    return rest;
  }

  void checkAllUsed() {
    List<String> left = remaining();
    if (!left.isEmpty()) {
      throw new UnsupportedOperationException(operation + " argument(s) " + left);
    }
  }
}
