package io.changecast.local;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes demo data for two tenants into {@code app.orders}, the way an application would: it
 * inserts an order, updates it, replaces it and finally deletes it, round-robin over the tenants,
 * so every kind of change event reaches the streams.
 */
public final class DemoWriter implements AutoCloseable {

  /** The demo's tenants. */
  public static final List<String> TENANTS = List.of("acme", "globex");

  private static final Logger log = LoggerFactory.getLogger(DemoWriter.class);
  private static final String[] STATUSES = {"placed", "paid", "packed", "shipped"};

  private final MongoClient client;
  private final MongoCollection<Document> orders;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "changecast-demo-writer");
            thread.setDaemon(true);
            return thread;
          });
  private final Map<String, Deque<ObjectId>> liveOrders = new HashMap<>();
  private long step;

  private DemoWriter(String connectionString) {
    client = MongoClients.create(connectionString);
    orders = client.getDatabase("app").getCollection("orders");
    TENANTS.forEach(tenant -> liveOrders.put(tenant, new ArrayDeque<>()));
  }

  /** Starts writing one change every {@code periodMillis}. */
  public static DemoWriter start(String connectionString, long periodMillis) {
    DemoWriter writer = new DemoWriter(connectionString);
    writer.scheduler.scheduleAtFixedRate(
        writer::writeSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    return writer;
  }

  private void writeSafely() {
    try {
      writeNext();
    } catch (RuntimeException e) {
      log.warn("demo write failed: {}", e.toString());
    }
  }

  private void writeNext() {
    String tenant = TENANTS.get((int) (step % TENANTS.size()));
    long round = step / TENANTS.size();
    step++;
    Deque<ObjectId> live = liveOrders.get(tenant);
    switch ((int) (round % 4)) {
      case 0 -> {
        ObjectId id = new ObjectId();
        orders.insertOne(
            new Document("_id", id)
                .append("tenantId", tenant)
                .append("status", STATUSES[0])
                .append("total", (int) (10 + round % 90))
                .append("note", "demo order " + round));
        live.addLast(id);
      }
      case 1 ->
          orders.updateOne(
              Filters.eq("_id", live.peekLast()),
              Updates.combine(
                  Updates.set("status", STATUSES[1]),
                  Updates.inc("total", 1),
                  Updates.unset("note")));
      case 2 ->
          orders.replaceOne(
              Filters.eq("_id", live.peekLast()),
              new Document("tenantId", tenant)
                  .append("status", STATUSES[3])
                  .append("total", 42)
                  .append("replaced", true));
      default -> {
        // keep one order per tenant around so the stream also shows documents that live on
        if (live.size() > 1) {
          orders.deleteOne(Filters.eq("_id", live.pollFirst()));
        } else {
          orders.updateOne(Filters.eq("_id", live.peekLast()), Updates.inc("total", 1));
        }
      }
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }
}
