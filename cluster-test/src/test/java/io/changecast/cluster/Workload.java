package io.changecast.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * The writer's seeded workload: inserts, {@code $set} updates, replaces and deletes spread over
 * tenants, each write recognisable in its change event. Every document carries {@code w}, the
 * global number of the write that produced its current state, and every update sets {@code w}, so
 * no update is a no-op (MongoDB emits no change event for those) and each event names its write.
 */
final class Workload {

  /** Collection the writer uses, in database {@code app}. */
  static final String COLLECTION = "orders";

  private static final String[] STATUSES = {"placed", "paid", "packed", "shipped", "cancelled"};
  private static final JsonWriterSettings RELAXED =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

  enum Op {
    INSERT("insert"),
    UPDATE("update"),
    REPLACE("replace"),
    DELETE("delete");

    /** MongoDB's {@code operationType}, as the envelope's {@code operation} carries it. */
    final String operationType;

    Op(String operationType) {
      this.operationType = operationType;
    }
  }

  /**
   * One write. {@code body} is the inserted document (with {@code _id}), the replacement (without
   * {@code _id}, with {@code tenantId}), the {@code $set} fields, or empty for a delete.
   */
  record Write(int seq, String tenant, Op op, String docId, Document body) {

    /** Identifies the write in the change event it causes (see {@link #identity}). */
    String identity() {
      return op == Op.DELETE ? "delete:" + docId : "w:" + seq;
    }

    /** What the event's {@code document} (inserts, replaces) or {@code updatedFields} must be. */
    String expectedJson() {
      return switch (op) {
        case INSERT, UPDATE -> body.toJson(RELAXED);
        case REPLACE -> {
          Document document = new Document("_id", docId);
          document.putAll(body);
          yield document.toJson(RELAXED);
        }
        case DELETE -> "null";
      };
    }
  }

  private Workload() {}

  static String tenant(int index) {
    return "t%02d".formatted(index);
  }

  /**
   * {@code count} writes over {@code tenants} tenants, the same for the same seed: per write a
   * random tenant, then an insert when the tenant has no live document, else 40% inserts, 30%
   * updates, 15% replaces and 15% deletes of a random live document of that tenant. An update sets
   * fields to values they do not have (MongoDB reports only changed fields in {@code
   * updatedFields}).
   */
  static List<Write> generate(long seed, int count, int tenants) {
    Random random = new Random(seed);
    Map<String, List<String>> live = new LinkedHashMap<>();
    Map<String, Integer> nextDoc = new LinkedHashMap<>();
    Map<String, Document> current = new HashMap<>();
    List<Write> writes = new ArrayList<>(count);
    for (int seq = 1; seq <= count; seq++) {
      String tenant = tenant(random.nextInt(tenants));
      List<String> docs = live.computeIfAbsent(tenant, t -> new ArrayList<>());
      double roll = random.nextDouble();
      String status = STATUSES[random.nextInt(STATUSES.length)];
      int total = random.nextInt(10_000);
      if (docs.isEmpty() || roll < 0.40) {
        int n = nextDoc.merge(tenant, 1, Integer::sum);
        String docId = tenant + "-" + n;
        docs.add(docId);
        Document doc =
            new Document("_id", docId)
                .append("tenantId", tenant)
                .append("w", seq)
                .append("status", status)
                .append("total", total)
                .append("items", List.of(random.nextInt(100), random.nextInt(100)));
        current.put(docId, new Document(doc));
        writes.add(new Write(seq, tenant, Op.INSERT, docId, doc));
        continue;
      }
      int at = random.nextInt(docs.size());
      String docId = docs.get(at);
      Document state = current.get(docId);
      if (roll < 0.70) {
        while (status.equals(state.get("status"))) {
          status = STATUSES[random.nextInt(STATUSES.length)];
        }
        if (Integer.valueOf(total).equals(state.get("total"))) {
          total++;
        }
        Document set = new Document("w", seq).append("status", status).append("total", total);
        state.putAll(set);
        writes.add(new Write(seq, tenant, Op.UPDATE, docId, set));
      } else if (roll < 0.85) {
        Document replacement =
            new Document("tenantId", tenant)
                .append("w", seq)
                .append("status", status)
                .append("replaced", true)
                .append("note", "replacement of " + docId + " by write " + seq);
        current.put(docId, new Document(replacement));
        writes.add(new Write(seq, tenant, Op.REPLACE, docId, replacement));
      } else {
        docs.remove(at);
        current.remove(docId);
        writes.add(new Write(seq, tenant, Op.DELETE, docId, new Document()));
      }
    }
    return writes;
  }

  /** The writes grouped by tenant, each tenant's in write order. */
  static Map<String, List<Write>> byTenant(List<Write> writes) {
    Map<String, List<Write>> result = new LinkedHashMap<>();
    writes.forEach(w -> result.computeIfAbsent(w.tenant(), t -> new ArrayList<>()).add(w));
    return result;
  }
}
