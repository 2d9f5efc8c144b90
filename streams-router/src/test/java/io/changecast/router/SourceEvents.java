package io.changecast.router;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic history of MongoDB changes as the official MongoSourceConnector publishes them
 * (DefaultJson, relaxed; key: the resume token): inserts, updates with and without a post-image,
 * replaces and deletes of documents of several tenants in two collections, one raw topic per
 * collection. Every change has a unique resume token and a cluster time that grows with its source
 * position, so a routed envelope tells which change it carries.
 */
final class SourceEvents {

  /** One change: the raw record and what the router must make of it. */
  record Change(
      String topic, String key, String value, String tenant, String collection, long position) {}

  static final List<String> COLLECTIONS = List.of("orders", "invoices");
  private static final long BASE_SECONDS = 1_700_000_000L;

  private SourceEvents() {}

  /** The raw topic of a collection of database {@code app}. */
  static String topic(String prefix, String collection) {
    return prefix + ".raw.app." + collection;
  }

  /** {@code count} changes spread over {@code tenants} tenants, positions 1..count. */
  static List<Change> generate(String topicPrefix, int count, int tenants, long seed) {
    Random random = new Random(seed);
    Map<String, List<String>> liveDocuments = new HashMap<>(); // "<coll>|<tenant>" -> oids
    List<Change> changes = new ArrayList<>(count);
    long documents = 0;
    for (int position = 1; position <= count; position++) {
      String tenant = "tenant-" + random.nextInt(tenants);
      String collection = COLLECTIONS.get(random.nextInt(COLLECTIONS.size()));
      List<String> live =
          liveDocuments.computeIfAbsent(collection + "|" + tenant, k -> new ArrayList<>());
      String token = "8265%016X2B022C0100296E5A1004".formatted(position);
      String clusterTime =
          "{\"$timestamp\": {\"t\": %d, \"i\": %d}}"
              .formatted(BASE_SECONDS + position / 1000, position % 1000 + 1);
      String head =
          "{\"_id\": {\"_data\": \"%s\"}, \"clusterTime\": %s, \"wallTime\": {\"$date\": %d}, \"ns\": {\"db\": \"app\", \"coll\": \"%s\"}, "
              .formatted(token, clusterTime, (BASE_SECONDS + position / 1000) * 1000, collection);
      String value;
      if (live.isEmpty() || random.nextInt(10) < 4) {
        String oid = "655f0c%018x".formatted(++documents);
        live.add(oid);
        value =
            head
                + "\"operationType\": \"insert\", \"documentKey\": {\"_id\": {\"$oid\": \"%s\"}}, \"fullDocument\": %s}"
                    .formatted(oid, document(oid, tenant, position));
      } else {
        int index = random.nextInt(live.size());
        String oid = live.get(index);
        String documentKey = "\"documentKey\": {\"_id\": {\"$oid\": \"%s\"}}".formatted(oid);
        value =
            switch (random.nextInt(4)) {
              case 0 ->
                  head
                      + "\"operationType\": \"update\", %s, \"fullDocument\": %s, \"updateDescription\": {\"updatedFields\": {\"total\": %d}, \"removedFields\": [], \"truncatedArrays\": []}}"
                          .formatted(documentKey, document(oid, tenant, position), position);
              case 1 -> // no post-image: the tenant comes from the router's document store
                  head
                      + "\"operationType\": \"update\", %s, \"fullDocument\": null, \"updateDescription\": {\"updatedFields\": {\"status\": \"paid\"}, \"removedFields\": [\"note\"], \"truncatedArrays\": []}}"
                          .formatted(documentKey);
              case 2 ->
                  head
                      + "\"operationType\": \"replace\", %s, \"fullDocument\": %s}"
                          .formatted(documentKey, document(oid, tenant, position));
              default -> {
                live.remove(index);
                yield head + "\"operationType\": \"delete\", %s}".formatted(documentKey);
              }
            };
      }
      changes.add(
          new Change(
              topic(topicPrefix, collection),
              "{\"_id\": {\"_data\": \"%s\"}}".formatted(token),
              value,
              tenant,
              collection,
              position));
    }
    return changes;
  }

  private static String document(String oid, String tenant, int position) {
    return "{\"_id\": {\"$oid\": \"%s\"}, \"tenantId\": \"%s\", \"total\": %d, \"status\": \"open\"}"
        .formatted(oid, tenant, position);
  }

  /** The source position carried by an envelope's {@code clusterTime} ({t, i} as generated). */
  static long position(long t, long i) {
    return (t - BASE_SECONDS) * 1000 + (i - 1);
  }
}
