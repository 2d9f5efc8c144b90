package io.changecast.local;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.Document;

/** A started {@link LocalStack} and a MongoDB client to it, closed together. */
record RunningStack(LocalStack stack, MongoClient mongo) implements AutoCloseable {

  /** Starts the stack with {@code options} and connects to its MongoDB. */
  static RunningStack start(LocalOptions options) {
    LocalStack stack = LocalStack.start(options);
    try {
      return new RunningStack(stack, MongoClients.create(stack.mongoConnectionString()));
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  /** {@code app.orders}, the collection the shipped source watches. */
  MongoCollection<Document> orders() {
    return mongo.getDatabase("app").getCollection("orders");
  }

  @Override
  public void close() {
    try {
      mongo.close();
    } finally {
      stack.close();
    }
  }
}
