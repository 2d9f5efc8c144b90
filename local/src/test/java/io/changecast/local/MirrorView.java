package io.changecast.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.bson.conversions.Bson;

/**
 * What a mirroring client asks for, and MongoDB's answer to the same question: the collections (a
 * snapshot's {@code collections=}, the stream's {@code types=<collection>.*}), the {@code where}
 * filter (the same text for the snapshot and the stream), the equivalent MongoDB query, and the
 * client's own test of whether a copy still belongs in its view (a document an update moved out of
 * the filter leaves it).
 *
 * @param name for the log
 * @param collections the collections, or empty for the tenant's every collection
 * @param where the filter, or null
 * @param mongoFilter the same filter as a MongoDB query (besides the tenant)
 * @param keeps whether a document (its JSON) belongs in the view
 */
record MirrorView(
    String name,
    List<String> collections,
    String where,
    Bson mongoFilter,
    Predicate<JsonNode> keeps) {

  /** The collections the convergence test writes. */
  static final List<String> COLLECTIONS = List.of("orders", "invoices");

  /** Everything of the tenant. */
  static final MirrorView ALL =
      new MirrorView("all", List.of(), null, Filters.empty(), document -> true);

  /** One collection. */
  static final MirrorView ORDERS =
      new MirrorView("orders", List.of("orders"), null, Filters.empty(), document -> true);

  /** A range of document keys: a filter no write moves a document into or out of. */
  static final MirrorView KEY_RANGE =
      new MirrorView(
          "key>=k0040",
          List.of(),
          "documentKey._id >= 'k0040'",
          Filters.gte("_id", "k0040"),
          document -> document.path("_id").asText().compareTo("k0040") >= 0);

  /** A field that updates, replaces and deletes move documents into and out of. */
  static final MirrorView PAID =
      new MirrorView(
          "status=paid",
          List.of(),
          "document.status = 'paid'",
          Filters.eq("status", "paid"),
          document -> "paid".equals(document.path("status").asText(null)));

  MirrorView {
    collections = List.copyOf(collections);
  }

  /** The collections MongoDB is asked about. */
  List<String> watched() {
    return collections.isEmpty() ? COLLECTIONS : collections;
  }

  /** Query parameters of a snapshot request ({@code collections}, {@code where}). */
  List<String> snapshotParameters() {
    List<String> parameters = new ArrayList<>();
    if (!collections.isEmpty()) {
      parameters.add("collections=" + encode(String.join(",", collections)));
    }
    if (where != null) {
      parameters.add("where=" + encode(where));
    }
    return parameters;
  }

  /** Query parameters of a stream request ({@code types}, {@code where}). */
  List<String> streamParameters() {
    List<String> parameters = new ArrayList<>();
    if (!collections.isEmpty()) {
      parameters.add(
          "types=" + encode(String.join(",", collections.stream().map(c -> c + ".*").toList())));
    }
    if (where != null) {
      parameters.add("where=" + encode(where));
    }
    return parameters;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
