package io.changecast.embedded.mongo.internal;

/** The change event {@code operationType}s the embedded server produces. */
enum ChangeType {
  INSERT("insert"),
  UPDATE("update"),
  REPLACE("replace"),
  DELETE("delete"),
  DROP("drop");

  private final String wireName;

  ChangeType(String wireName) {
    this.wireName = wireName;
  }

  String wireName() {
    return wireName;
  }
}
