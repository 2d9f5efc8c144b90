package io.changecast.cluster;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the workload to MongoDB through its port, one write at a time at a steady rate (write i is
 * due at start + i / rate), and records when MongoDB acknowledged each.
 */
final class MongoWriter implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(MongoWriter.class);
  private static final int ATTEMPTS = 5;

  private final String uri;
  private final List<Workload.Write> writes;
  private final double perSecond;
  private final Map<Integer, Long> acknowledgedAt = new ConcurrentHashMap<>();
  private final AtomicInteger done = new AtomicInteger();
  private volatile boolean stopped;

  MongoWriter(String uri, List<Workload.Write> writes, double perSecond) {
    this.uri = uri;
    this.writes = writes;
    this.perSecond = perSecond;
  }

  /** Per write ({@link Workload.Write#seq()}), when MongoDB acknowledged it, epoch ms. */
  Map<Integer, Long> acknowledgedAt() {
    return acknowledgedAt;
  }

  int done() {
    return done.get();
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    try (MongoClient client = MongoClients.create(uri)) {
      MongoCollection<Document> orders =
          client.getDatabase("app").getCollection(Workload.COLLECTION);
      long start = System.nanoTime();
      for (int i = 0; i < writes.size() && !stopped; i++) {
        long due = start + (long) (i * 1e9 / perSecond);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          LockSupport.parkNanos(wait); // pacing: the write is not due yet
        }
        Workload.Write write = writes.get(i);
        apply(orders, write);
        acknowledgedAt.put(write.seq(), System.currentTimeMillis());
        done.incrementAndGet();
      }
    }
  }

  private static void apply(MongoCollection<Document> orders, Workload.Write write) {
    for (int attempt = 1; ; attempt++) {
      try {
        long matched =
            switch (write.op()) {
              case INSERT -> {
                orders.insertOne(write.body());
                yield 1;
              }
              case UPDATE ->
                  orders
                      .updateOne(eq("_id", write.docId()), new Document("$set", write.body()))
                      .getMatchedCount();
              case REPLACE ->
                  orders.replaceOne(eq("_id", write.docId()), write.body()).getMatchedCount();
              case DELETE -> orders.deleteOne(eq("_id", write.docId())).getDeletedCount();
            };
        if (matched != 1) {
          throw new IllegalStateException(
              "write %d (%s of %s) matched %d documents"
                  .formatted(write.seq(), write.op(), write.docId(), matched));
        }
        return;
      } catch (MongoWriteException e) {
        if (write.op() == Workload.Op.INSERT
            && e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY
            && attempt > 1) {
          return; // the first attempt went through before its connection broke
        }
        throw e;
      } catch (MongoSocketException | MongoTimeoutException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
        LOG.warn("write {} attempt {} failed, retrying: {}", write.seq(), attempt, e.toString());
      }
    }
  }
}
