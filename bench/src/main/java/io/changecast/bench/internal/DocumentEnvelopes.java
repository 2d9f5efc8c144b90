package io.changecast.bench.internal;

/**
 * Envelopes as the router writes them for document changes of {@code app.bench}: inserts and
 * updates carrying a document of about {@link #documentBytes} bytes of JSON (an update also its
 * {@code changes}), deletes without one.
 */
final class DocumentEnvelopes {

  private final int documentBytes;

  DocumentEnvelopes(int documentBytes) {
    this.documentBytes = documentBytes;
  }

  int documentBytes() {
    return documentBytes;
  }

  /** A document of {@link #documentBytes} bytes of JSON (for ASCII keys and tenants). */
  String document(String tenant, String key, int version) {
    String head =
        "{\"_id\":\""
            + key
            + "\",\"tenantId\":\""
            + tenant
            + "\",\"status\":\"paid\",\"version\":"
            + version
            + ",\"payload\":\"";
    int pad = Math.max(0, documentBytes - head.length() - 2);
    return head + "x".repeat(pad) + "\"}";
  }

  String insert(String tenant, long id, String key, int version) {
    return envelope(tenant, id, "created", "insert", key, document(tenant, key, version), null);
  }

  String update(String tenant, long id, String key, int version) {
    return envelope(
        tenant,
        id,
        "updated",
        "update",
        key,
        document(tenant, key, version),
        "{\"updatedFields\":{\"version\":"
            + version
            + "},\"removedFields\":[],\"truncatedArrays\":[]}");
  }

  String delete(String tenant, long id, String key) {
    return envelope(tenant, id, "deleted", "delete", key, null, null);
  }

  private static String envelope(
      String tenant,
      long id,
      String verb,
      String operation,
      String key,
      String document,
      String changes) {
    long now = System.currentTimeMillis();
    StringBuilder json =
        new StringBuilder(document == null ? 400 : document.length() + 400)
            .append("{\"id\":\"")
            .append(id)
            .append("\",\"tenant\":\"")
            .append(tenant)
            .append("\",\"type\":\"bench.")
            .append(verb)
            .append("\",\"operation\":\"")
            .append(operation)
            .append("\",\"database\":\"app\",\"collection\":\"bench\",\"documentKey\":{\"_id\":\"")
            .append(key)
            .append("\"}");
    if (document != null) {
      json.append(",\"document\":").append(document);
    }
    if (changes != null) {
      json.append(",\"changes\":").append(changes);
    }
    return json.append(",\"clusterTime\":{\"t\":")
        .append(now / 1000)
        .append(",\"i\":1},\"wallTime\":")
        .append(now)
        .append(",\"routedAt\":")
        .append(now)
        .append('}')
        .toString();
  }
}
