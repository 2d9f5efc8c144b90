package io.changecast.local;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * One tenant's writer for the convergence test: seeded, paced, with the MongoDB Java driver, it
 * inserts, updates ({@code $set} of top-level and nested fields, {@code $unset}, {@code $push}),
 * replaces and deletes documents of {@code app.orders} and {@code app.invoices}. Keys are {@code
 * k0000-<tenant>}, {@code k0001-<tenant>}, … per collection, never reused.
 */
final class ConvergenceWriters implements Runnable {

  /** The kinds of write. */
  enum Op {
    INSERT,
    SET,
    UNSET,
    PUSH,
    REPLACE,
    DELETE
  }

  private static final String[] STATUSES = {"placed", "paid", "shipped"};

  private final MongoDatabase database;
  private final String tenant;
  private final Random random;
  private final int writes;
  private final double perSecond;
  private final Map<String, List<String>> live = new java.util.HashMap<>();
  private final Map<String, Integer> nextKey = new java.util.HashMap<>();
  private final Map<Op, Integer> tally = new EnumMap<>(Op.class);

  ConvergenceWriters(
      MongoDatabase database, String tenant, long seed, int writes, double perSecond) {
    this.database = database;
    this.tenant = tenant;
    this.random = new Random(seed);
    this.writes = writes;
    this.perSecond = perSecond;
    for (String collection : MirrorView.COLLECTIONS) {
      live.put(collection, new ArrayList<>());
      nextKey.put(collection, 0);
    }
  }

  /** Writes {@code writes} times, paced to {@code perSecond}. */
  @Override
  public void run() {
    long start = System.nanoTime();
    long interval = (long) (1e9 / perSecond);
    for (int i = 0; i < writes; i++) {
      LockSupport.parkNanos(start + i * interval - System.nanoTime()); // pacing, not a wait
      writeOnce();
    }
  }

  /** How many writes of each kind were made. */
  synchronized Map<Op, Integer> tally() {
    return Map.copyOf(tally);
  }

  private void writeOnce() {
    String collectionName = MirrorView.COLLECTIONS.get(random.nextInt(2));
    MongoCollection<Document> collection = database.getCollection(collectionName);
    List<String> keys = live.get(collectionName);
    Op op = keys.size() < 5 ? Op.INSERT : Op.values()[pick()];
    switch (op) {
      case INSERT -> {
        int n = nextKey.merge(collectionName, 1, Integer::sum) - 1;
        String key = String.format("k%04d-%s", n, tenant); // _id is unique per collection
        collection.insertOne(document(key));
        keys.add(key);
      }
      case SET -> {
        Bson update =
            random.nextBoolean()
                ? Updates.set("status", STATUSES[random.nextInt(STATUSES.length)])
                : Updates.combine(
                    Updates.set("meta.level", random.nextInt(100)),
                    Updates.set("status", STATUSES[random.nextInt(STATUSES.length)]));
        collection.updateOne(Filters.eq("_id", any(keys)), update);
      }
      case UNSET ->
          collection.updateOne(
              Filters.eq("_id", any(keys)),
              Updates.unset(random.nextBoolean() ? "note" : "meta.label"));
      case PUSH ->
          collection.updateOne(
              Filters.eq("_id", any(keys)), Updates.push("tags", "t" + random.nextInt(1000)));
      case REPLACE -> {
        String key = any(keys);
        collection.replaceOne(Filters.eq("_id", key), document(key));
      }
      case DELETE -> {
        String key = keys.remove(random.nextInt(keys.size()));
        collection.deleteOne(Filters.eq("_id", key));
      }
    }
    synchronized (this) {
      tally.merge(op, 1, Integer::sum);
    }
  }

  /** insert 25%, $set 25%, $unset 10%, $push 15%, replace 10%, delete 15%. */
  private int pick() {
    int r = random.nextInt(100);
    if (r < 25) {
      return Op.INSERT.ordinal();
    } else if (r < 50) {
      return Op.SET.ordinal();
    } else if (r < 60) {
      return Op.UNSET.ordinal();
    } else if (r < 75) {
      return Op.PUSH.ordinal();
    } else if (r < 85) {
      return Op.REPLACE.ordinal();
    }
    return Op.DELETE.ordinal();
  }

  private String any(List<String> keys) {
    return keys.get(random.nextInt(keys.size()));
  }

  private Document document(String key) {
    List<String> tags = new ArrayList<>();
    for (int i = random.nextInt(3); i > 0; i--) {
      tags.add("t" + random.nextInt(1000));
    }
    Document document =
        new Document("_id", key)
            .append("tenantId", tenant)
            .append("status", STATUSES[random.nextInt(STATUSES.length)])
            .append("amount", random.nextInt(10_000))
            .append("tags", tags)
            .append("meta", new Document("level", random.nextInt(100)).append("label", "l" + key));
    if (random.nextBoolean()) {
      document.append("note", "note " + random.nextInt(1000));
    }
    return document;
  }
}
