package io.changecast.router;

/** Raw change events as the MongoSourceConnector writes them (DefaultJson, relaxed). */
final class RawEvents {

  /** Each event gets a fresh resume token: replaying the same string is a connector duplicate. */
  private static final java.util.concurrent.atomic.AtomicLong TOKENS =
      new java.util.concurrent.atomic.AtomicLong();

  private RawEvents() {}

  private static String token() {
    return "8265%016X".formatted(TOKENS.incrementAndGet());
  }

  /**
   * {@code value} with a fresh resume token: what the connector sends next. Change streams hand out
   * tokens in increasing order and the router drops a token not above its partition's greatest, so
   * an event built earlier than the ones piped before it must be given its stream position.
   */
  static String retoken(String value) {
    return value == null
        ? null
        : value.replaceFirst("\"_data\": \"8265[0-9A-F]{16}\"", "\"_data\": \"" + token() + "\"");
  }

  static String key(String oid) {
    return """
        {"_id": {"_data": "82655F%s"}}"""
        .formatted(oid);
  }

  static String insert(String oid, String tenant, int total) {
    return """
        {"_id": {"_data": "@TOKEN@"}, "operationType": "insert",
         "clusterTime": {"$timestamp": {"t": 1700000000, "i": 1}},
         "wallTime": {"$date": 1700000000123},
         "fullDocument": {"_id": {"$oid": "%1$s"}, "tenantId": "%2$s", "total": %3$d},
         "ns": {"db": "app", "coll": "orders"}, "documentKey": {"_id": {"$oid": "%1$s"}}}"""
        .formatted(oid, tenant, total)
        .replace("@TOKEN@", token());
  }

  static String update(String oid, String tenant, int total) {
    return """
        {"_id": {"_data": "@TOKEN@"}, "operationType": "update",
         "clusterTime": {"$timestamp": {"t": 1700000001, "i": 2}},
         "wallTime": {"$date": "2023-11-14T22:13:21.456Z"},
         "fullDocument": {"_id": {"$oid": "%1$s"}, "tenantId": "%2$s", "total": %3$d},
         "ns": {"db": "app", "coll": "orders"}, "documentKey": {"_id": {"$oid": "%1$s"}},
         "updateDescription": {"updatedFields": {"total": %3$d}, "removedFields": ["note"],
                               "truncatedArrays": []}}"""
        .formatted(oid, tenant, total)
        .replace("@TOKEN@", token());
  }

  static String updateWithoutPostImage(String oid) {
    return """
        {"_id": {"_data": "@TOKEN@"}, "operationType": "update",
         "clusterTime": {"$timestamp": {"t": 1700000002, "i": 3}},
         "wallTime": {"$date": {"$numberLong": "1700000002789"}},
         "fullDocument": null,
         "ns": {"db": "app", "coll": "orders"}, "documentKey": {"_id": {"$oid": "%1$s"}},
         "updateDescription": {"updatedFields": {"status": "paid"}, "removedFields": [],
                               "truncatedArrays": [{"field": "items", "newSize": 1}]}}"""
        .formatted(oid)
        .replace("@TOKEN@", token());
  }

  static String replace(String oid, String tenant, int total) {
    return """
        {"_id": {"_data": "@TOKEN@"}, "operationType": "replace",
         "clusterTime": {"$timestamp": {"t": 1700000003, "i": 4}},
         "wallTime": {"$date": 1700000003000},
         "fullDocument": {"_id": {"$oid": "%1$s"}, "tenantId": "%2$s", "total": %3$d},
         "ns": {"db": "app", "coll": "orders"}, "documentKey": {"_id": {"$oid": "%1$s"}}}"""
        .formatted(oid, tenant, total)
        .replace("@TOKEN@", token());
  }

  static String delete(String oid) {
    return """
        {"_id": {"_data": "@TOKEN@"}, "operationType": "delete",
         "clusterTime": {"$timestamp": {"t": 1700000004, "i": 5}},
         "wallTime": {"$date": 1700000004000},
         "ns": {"db": "app", "coll": "orders"}, "documentKey": {"_id": {"$oid": "%1$s"}}}"""
        .formatted(oid)
        .replace("@TOKEN@", token());
  }
}
