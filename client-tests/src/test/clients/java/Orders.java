// The Java driver 5.x against the embedded MongoDB (client-tests runs this file as it is, on its
// own port, with the driver's jars on the class path: java -cp 'jars/*' Orders.java).
// Prints each step's result and then each change event as Extended JSON, one a line.
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import java.util.List;
import org.bson.BsonValue;
import org.bson.Document;

public class Orders {
  public static void main(String[] args) {
    try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:27017/app")) {
      MongoCollection<Document> orders = client.getDatabase("app").getCollection("orders");
      try (MongoCursor<Document> changes =
          orders
              .watch(List.of(Aggregates.match(Filters.eq("fullDocument.tenantId", "umbrella"))))
              .withDocumentClass(Document.class)
              .cursor()) {
        BsonValue inserted = orders.insertOne(order("placed")).getInsertedId();
        show(new Document("inserted", inserted));

        try (ClientSession session = client.startSession()) {
          List<BsonValue> committed =
              session.withTransaction(
                  () ->
                      List.of(
                          orders.insertOne(session, order("paid")).getInsertedId(),
                          orders.insertOne(session, order("paid")).getInsertedId()));
          show(new Document("committed", committed));

          session.startTransaction();
          orders.insertOne(session, order("cancelled"));
          session.abortTransaction();
          show(new Document("aborted", orders.countDocuments(order("cancelled"))));
        }

        orders.insertOne(order("shipped"));
        for (Document change = changes.next(); ; change = changes.next()) {
          show(change);
          if ("shipped".equals(change.get("fullDocument", Document.class).get("status"))) {
            break;
          }
        }
      }
    }
  }

  static Document order(String status) {
    return new Document("tenantId", "umbrella").append("status", status);
  }

  static void show(Document value) {
    System.out.println(value.toJson());
  }
}
