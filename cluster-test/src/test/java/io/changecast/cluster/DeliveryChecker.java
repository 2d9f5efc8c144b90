package io.changecast.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NumericNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares what each tenant's client received with what was written for that tenant.
 *
 * <p>Each data event is matched to the write it reports by the write's identity: the {@code w}
 * field of the {@code document} (inserts, replaces) or of {@code changes.updatedFields} (updates),
 * or the {@code documentKey} of a delete (each document is deleted at most once). Per tenant, with
 * N writes in source order:
 *
 * <ul>
 *   <li><b>lost</b>: writes no event reported;
 *   <li><b>duplicated</b>: events repeating an id, or a write, already received (each extra copy
 *       counts once, and is otherwise ignored);
 *   <li><b>gaps</b>: ids between 1 and the largest id received that never arrived;
 *   <li><b>out of order</b>: events whose id is not their write's position in the tenant's source
 *       order (the k-th write must be id k), or that arrive after an event with a larger id;
 *   <li><b>mismatched</b>: events whose content is not their write's: another tenant, operation or
 *       document key; an insert's or replace's {@code document} unequal to the written document; an
 *       update's {@code updatedFields} unequal to its {@code $set} (the update's {@code document}
 *       is a lookup and may show later writes, so it is not compared); a delete with a {@code
 *       document}; an envelope {@code id} unequal to the SSE id; or an event that names no write of
 *       the tenant;
 *   <li><b>control</b>: named events ({@code reset} and others; {@code overflow}, after which the
 *       client resumes, is not counted).
 * </ul>
 *
 * A correct run has all of them 0 and N events per tenant.
 */
final class DeliveryChecker {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Numbers equal by value (an int and a long of the same value are the same JSON number). */
  private static final Comparator<JsonNode> BY_VALUE =
      (a, b) -> {
        if (a instanceof NumericNode && b instanceof NumericNode) {
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
      };

  record TenantResult(
      String tenant,
      int writes,
      int events,
      int lost,
      int duplicated,
      int gaps,
      int outOfOrder,
      int mismatched,
      int control,
      List<String> examples) {

    boolean clean() {
      return lost == 0
          && duplicated == 0
          && gaps == 0
          && outOfOrder == 0
          && mismatched == 0
          && control == 0
          && events == writes;
    }
  }

  /**
   * The outcome: per tenant results, and when each write (by {@link Workload.Write#seq()}) was
   * first delivered (epoch ms).
   */
  record Report(Map<String, TenantResult> tenants, Map<Integer, Long> firstDelivered) {

    int writes() {
      return tenants.values().stream().mapToInt(TenantResult::writes).sum();
    }

    int events() {
      return tenants.values().stream().mapToInt(TenantResult::events).sum();
    }

    int lost() {
      return tenants.values().stream().mapToInt(TenantResult::lost).sum();
    }

    int duplicated() {
      return tenants.values().stream().mapToInt(TenantResult::duplicated).sum();
    }

    int gaps() {
      return tenants.values().stream().mapToInt(TenantResult::gaps).sum();
    }

    int outOfOrder() {
      return tenants.values().stream().mapToInt(TenantResult::outOfOrder).sum();
    }

    int mismatched() {
      return tenants.values().stream().mapToInt(TenantResult::mismatched).sum();
    }

    int control() {
      return tenants.values().stream().mapToInt(TenantResult::control).sum();
    }

    boolean clean() {
      return tenants.values().stream().allMatch(TenantResult::clean);
    }
  }

  private DeliveryChecker() {}

  /**
   * Checks every tenant that was written to or received something.
   *
   * @param written each tenant's writes in source order
   * @param received each tenant's client's events in arrival order
   */
  static Report check(
      Map<String, List<Workload.Write>> written, Map<String, List<Delivery>> received) {
    Set<String> tenants = new java.util.TreeSet<>(written.keySet());
    tenants.addAll(received.keySet());
    Map<String, TenantResult> results = new TreeMap<>();
    Map<Integer, Long> firstDelivered = new HashMap<>();
    for (String tenant : tenants) {
      results.put(
          tenant,
          checkTenant(
              tenant,
              written.getOrDefault(tenant, List.of()),
              received.getOrDefault(tenant, List.of()),
              firstDelivered));
    }
    return new Report(results, firstDelivered);
  }

  private static TenantResult checkTenant(
      String tenant,
      List<Workload.Write> writes,
      List<Delivery> deliveries,
      Map<Integer, Long> firstDelivered) {
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < writes.size(); i++) {
      position.put(writes.get(i).identity(), i + 1);
    }
    Set<Long> seenIds = new HashSet<>();
    Set<String> seenWrites = new HashSet<>();
    List<String> examples = new ArrayList<>();
    int events = 0;
    int duplicated = 0;
    int outOfOrder = 0;
    int mismatched = 0;
    int control = 0;
    long maxId = 0;
    for (Delivery delivery : deliveries) {
      if (!"message".equals(delivery.eventName())) {
        if (!"overflow".equals(delivery.eventName())) {
          control++;
          note(examples, "control event " + delivery.eventName() + ": " + delivery.data());
        }
        continue;
      }
      events++;
      long id;
      JsonNode envelope;
      try {
        id = Long.parseLong(delivery.lastEventId());
        envelope = JSON.readTree(delivery.data());
      } catch (NumberFormatException | IOException e) {
        mismatched++;
        note(examples, "unreadable event id=" + delivery.lastEventId() + ": " + e.getMessage());
        continue;
      }
      String identity = identity(envelope);
      boolean repeatedId = !seenIds.add(id);
      boolean repeatedWrite = identity != null && !seenWrites.add(identity);
      if (repeatedId || repeatedWrite) {
        duplicated++;
        note(
            examples,
            "duplicate id %d (%s)%s"
                .formatted(id, identity, repeatedId ? "" : ": a write delivered under a new id"));
        if (!repeatedId && repeatedWrite) {
          maxId = Math.max(maxId, id);
        }
        continue;
      }
      Integer at = identity == null ? null : position.get(identity);
      if (at == null) {
        mismatched++;
        note(examples, "id %d names no write of %s: %s".formatted(id, tenant, delivery.data()));
        maxId = Math.max(maxId, id);
        continue;
      }
      if (id != at || id < maxId) {
        outOfOrder++;
        note(
            examples,
            "id %d reports write %d of the tenant (after id %d)".formatted(id, at, maxId));
      }
      maxId = Math.max(maxId, id);
      Workload.Write write = writes.get(at - 1);
      firstDelivered.putIfAbsent(write.seq(), delivery.receivedAtMillis());
      String problem = contentProblem(tenant, id, write, envelope);
      if (problem != null) {
        mismatched++;
        note(examples, "id %d (write %d): %s".formatted(id, write.seq(), problem));
      }
    }
    int lost = 0;
    for (Workload.Write write : writes) {
      if (!seenWrites.contains(write.identity())) {
        lost++;
        note(
            examples, "lost write %d (%s of %s)".formatted(write.seq(), write.op(), write.docId()));
      }
    }
    int gaps = 0;
    for (long id = 1; id <= maxId; id++) {
      if (!seenIds.contains(id)) {
        gaps++;
        note(examples, "gap: id " + id + " never arrived");
      }
    }
    return new TenantResult(
        tenant,
        writes.size(),
        events,
        lost,
        duplicated,
        gaps,
        outOfOrder,
        mismatched,
        control,
        List.copyOf(examples));
  }

  /** The identity of the write an envelope reports (see {@link Workload.Write#identity()}). */
  private static String identity(JsonNode envelope) {
    String operation = envelope.path("operation").asText();
    JsonNode w =
        switch (operation) {
          case "insert", "replace" -> envelope.path("document").path("w");
          case "update" -> envelope.path("changes").path("updatedFields").path("w");
          case "delete" -> null;
          default -> com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        };
    if (w == null) {
      JsonNode key = envelope.path("documentKey").path("_id");
      return key.isTextual() ? "delete:" + key.asText() : null;
    }
    return w.canConvertToInt() && w.isNumber() ? "w:" + w.asInt() : null;
  }

  private static String contentProblem(
      String tenant, long id, Workload.Write write, JsonNode envelope) {
    if (!tenant.equals(envelope.path("tenant").asText())) {
      return "tenant " + envelope.path("tenant");
    }
    if (!Long.toString(id).equals(envelope.path("id").asText())) {
      return "envelope id " + envelope.path("id");
    }
    if (!write.op().operationType.equals(envelope.path("operation").asText())) {
      return "operation " + envelope.path("operation") + ", written " + write.op();
    }
    if (!write.docId().equals(envelope.path("documentKey").path("_id").asText())) {
      return "documentKey " + envelope.path("documentKey") + ", written " + write.docId();
    }
    JsonNode expected;
    try {
      expected = JSON.readTree(write.expectedJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return switch (write.op()) {
      case INSERT, REPLACE ->
          equal(expected, envelope.path("document"))
              ? null
              : "document " + envelope.path("document") + ", written " + expected;
      case UPDATE ->
          equal(expected, envelope.path("changes").path("updatedFields"))
              ? null
              : "updatedFields "
                  + envelope.path("changes").path("updatedFields")
                  + ", written $set "
                  + expected;
      case DELETE ->
          envelope.path("document").isMissingNode() || envelope.path("document").isNull()
              ? null
              : "a delete with document " + envelope.path("document");
    };
  }

  private static boolean equal(JsonNode expected, JsonNode actual) {
    return expected.equals(BY_VALUE, actual);
  }

  private static void note(List<String> examples, String example) {
    if (examples.size() < 10) {
      examples.add(example);
    }
  }

  /** Per tenant, the first few problems, for the log. */
  static Map<String, List<String>> problems(Report report) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    report
        .tenants()
        .forEach(
            (tenant, r) -> {
              if (!r.clean()) {
                result.put(tenant, r.examples());
              }
            });
    return result;
  }
}
