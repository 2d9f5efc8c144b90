package io.changecast.embedded.mongo.internal;

/**
 * The change event {@code operationType}s the embedded server records. {@code invalidate} is not
 * recorded: each cursor derives it from the drop, rename or dropDatabase that ends its stream.
 */
enum ChangeType {
  INSERT("insert", false),
  UPDATE("update", false),
  REPLACE("replace", false),
  DELETE("delete", false),
  DROP("drop", false),
  RENAME("rename", false),
  DROP_DATABASE("dropDatabase", false),
  CREATE("create", true),
  CREATE_INDEXES("createIndexes", true),
  DROP_INDEXES("dropIndexes", true),
  MODIFY("modify", true);

  private final String wireName;
  private final boolean expanded;

  ChangeType(String wireName, boolean expanded) {
    this.wireName = wireName;
    this.expanded = expanded;
  }

  String wireName() {
    return wireName;
  }

  /** Whether only streams opened with {@code showExpandedEvents: true} see this type. */
  boolean expanded() {
    return expanded;
  }

  /** Whether the event changes one document (and so has a {@code documentKey}). */
  boolean isDocumentChange() {
    return this == INSERT || this == UPDATE || this == REPLACE || this == DELETE;
  }
}
