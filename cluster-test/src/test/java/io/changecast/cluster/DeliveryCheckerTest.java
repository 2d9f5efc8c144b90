package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class DeliveryCheckerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T = "t00";

  /** Five writes of one tenant: insert a, insert b, update a, replace b, delete a. */
  private static final List<Workload.Write> WRITES =
      List.of(
          new Workload.Write(
              1,
              T,
              Workload.Op.INSERT,
              "t00-1",
              new Document("_id", "t00-1").append("tenantId", T).append("w", 1).append("n", 7)),
          new Workload.Write(
              4,
              T,
              Workload.Op.INSERT,
              "t00-2",
              new Document("_id", "t00-2").append("tenantId", T).append("w", 4)),
          new Workload.Write(
              5, T, Workload.Op.UPDATE, "t00-1", new Document("w", 5).append("status", "paid")),
          new Workload.Write(
              9,
              T,
              Workload.Op.REPLACE,
              "t00-2",
              new Document("tenantId", T).append("w", 9).append("replaced", true)),
          new Workload.Write(12, T, Workload.Op.DELETE, "t00-1", new Document()));

  /** The envelope the router writes for a write, with the given id. */
  private static String envelope(Workload.Write write, long id) {
    try {
      ObjectNode e = JSON.createObjectNode();
      e.put("id", Long.toString(id));
      e.put("tenant", write.tenant());
      e.put("operation", write.op().operationType);
      e.put("type", "orders." + write.op().name().toLowerCase());
      e.putObject("documentKey").put("_id", write.docId());
      switch (write.op()) {
        case INSERT, REPLACE -> e.set("document", JSON.readTree(write.expectedJson()));
        case UPDATE -> {
          // a lookup: the update's document may show a later state, and is not compared
          e.putObject("document").put("_id", write.docId()).put("w", 999);
          ObjectNode changes = e.putObject("changes");
          changes.set("updatedFields", JSON.readTree(write.expectedJson()));
          changes.putArray("removedFields");
        }
        case DELETE -> {}
      }
      return JSON.writeValueAsString(e);
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static Delivery event(int writeIndex, long id) {
    return Delivery.message(id, envelope(WRITES.get(writeIndex), id), 1000L + id);
  }

  private static DeliveryChecker.TenantResult check(List<Delivery> deliveries) {
    return DeliveryChecker.check(Map.of(T, WRITES), Map.of(T, deliveries)).tenants().get(T);
  }

  private static List<Delivery> inOrder() {
    List<Delivery> deliveries = new ArrayList<>();
    for (int i = 0; i < WRITES.size(); i++) {
      deliveries.add(event(i, i + 1));
    }
    return deliveries;
  }

  @Test
  void everyWriteOnceInOrderIsClean() {
    DeliveryChecker.TenantResult result = check(inOrder());

    assertThat(result.clean()).as("%s", result).isTrue();
    assertThat(result.events()).isEqualTo(5);
    assertThat(result.examples()).isEmpty();
  }

  @Test
  void firstDeliveryTimesArePerWrite() {
    List<Delivery> deliveries = inOrder();
    deliveries.add(event(2, 3)); // a later duplicate does not move the first delivery

    DeliveryChecker.Report report = DeliveryChecker.check(Map.of(T, WRITES), Map.of(T, deliveries));

    assertThat(report.firstDelivered())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(1, 1001L, 4, 1002L, 5, 1003L, 9, 1004L, 12, 1005L));
  }

  @Test
  void aResentIdIsOneDuplicate() {
    List<Delivery> deliveries = inOrder();
    deliveries.add(2, event(1, 2));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.duplicated()).isEqualTo(1);
    assertThat(result.lost()).isZero();
    assertThat(result.gaps()).isZero();
    assertThat(result.outOfOrder()).isZero();
    assertThat(result.mismatched()).isZero();
    assertThat(result.events()).isEqualTo(6);
    assertThat(result.clean()).isFalse();
  }

  @Test
  void aWriteRoutedTwiceUnderANewIdIsADuplicateAndShiftsTheRest() {
    // a zombie router wrote write 2 as id 2, the new owner as id 3; the rest follow one up
    List<Delivery> deliveries =
        List.of(event(0, 1), event(1, 2), event(1, 3), event(2, 4), event(3, 5), event(4, 6));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.duplicated()).isEqualTo(1);
    assertThat(result.outOfOrder()).as("ids 4..6 carry writes 3..5").isEqualTo(3);
    assertThat(result.lost()).isZero();
    assertThat(result.gaps()).isZero();
  }

  @Test
  void aMissingIdIsALostWriteAndAGap() {
    List<Delivery> deliveries = inOrder();
    deliveries.remove(2);

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.lost()).isEqualTo(1);
    assertThat(result.gaps()).isEqualTo(1);
    assertThat(result.duplicated()).isZero();
    assertThat(result.outOfOrder()).isZero();
    assertThat(result.examples())
        .contains("lost write 5 (UPDATE of t00-1)", "gap: id 3 never arrived");
  }

  @Test
  void aLostTailIsLostButNoGap() {
    DeliveryChecker.TenantResult result = check(inOrder().subList(0, 3));

    assertThat(result.lost()).isEqualTo(2);
    assertThat(result.gaps()).as("nothing missing below the largest id received").isZero();
    assertThat(result.clean()).isFalse();
  }

  @Test
  void aWriteSkippedByTheRouterIsLostAndShiftsTheIds() {
    // write 2 never routed: ids stay gapless but id 2 carries write 3
    List<Delivery> deliveries = List.of(event(0, 1), event(2, 2), event(3, 3), event(4, 4));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.lost()).isEqualTo(1);
    assertThat(result.gaps()).isZero();
    assertThat(result.outOfOrder()).isEqualTo(3);
  }

  @Test
  void swappedArrivalsAreOutOfOrder() {
    List<Delivery> deliveries = inOrder();
    Delivery third = deliveries.remove(2);
    deliveries.add(3, third); // ids 1, 2, 4, 3, 5

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.outOfOrder()).isEqualTo(1);
    assertThat(result.lost()).isZero();
    assertThat(result.gaps()).isZero();
    assertThat(result.duplicated()).isZero();
  }

  @Test
  void idsSwappedAgainstTheSourceOrderAreOutOfOrder() {
    // the router numbered writes 2 and 3 the wrong way round; delivered in id order
    List<Delivery> deliveries =
        List.of(event(0, 1), event(2, 2), event(1, 3), event(3, 4), event(4, 5));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.outOfOrder()).isEqualTo(2);
    assertThat(result.lost()).isZero();
    assertThat(result.gaps()).isZero();
  }

  @Test
  void aChangedInsertedDocumentIsAMismatch() {
    List<Delivery> deliveries = inOrder();
    String changed = deliveries.get(0).data().replace("\"n\":7", "\"n\":8");
    deliveries.set(0, Delivery.message(1, changed, 1001));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.mismatched()).isEqualTo(1);
    assertThat(result.examples().get(0)).startsWith("id 1 (write 1): document");
  }

  @Test
  void numbersCompareByValue() {
    List<Delivery> deliveries = inOrder();
    String asDouble = deliveries.get(0).data().replace("\"n\":7", "\"n\":7.0");
    deliveries.set(0, Delivery.message(1, asDouble, 1001));

    assertThat(check(deliveries).clean()).isTrue();
  }

  @Test
  void anUpdateIsComparedByItsSetNotByItsLookedUpDocument() {
    List<Delivery> deliveries = inOrder();
    String otherSet =
        deliveries.get(2).data().replace("\"status\":\"paid\"", "\"status\":\"shipped\"");
    deliveries.set(2, Delivery.message(3, otherSet, 1003));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.mismatched()).isEqualTo(1);
    assertThat(result.examples().get(0)).startsWith("id 3 (write 5): updatedFields");
  }

  @Test
  void aDeleteWithADocumentIsAMismatch() {
    List<Delivery> deliveries = inOrder();
    String withDocument =
        deliveries
            .get(4)
            .data()
            .replace("\"documentKey\"", "\"document\":{\"x\":1},\"documentKey\"");
    deliveries.set(4, Delivery.message(5, withDocument, 1005));

    assertThat(check(deliveries).mismatched()).isEqualTo(1);
  }

  @Test
  void anotherTenantsEventIsAMismatch() {
    Workload.Write foreign =
        new Workload.Write(
            2,
            "t01",
            Workload.Op.INSERT,
            "t01-1",
            new Document("_id", "t01-1").append("tenantId", "t01").append("w", 2));
    List<Delivery> deliveries = inOrder();
    deliveries.add(Delivery.message(6, envelope(foreign, 6), 1006));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.mismatched()).isEqualTo(1);
    assertThat(result.examples().get(0)).startsWith("id 6 names no write of t00");
  }

  @Test
  void anEnvelopeIdUnequalToTheSseIdIsAMismatch() {
    List<Delivery> deliveries = inOrder();
    deliveries.set(1, Delivery.message(2, envelope(WRITES.get(1), 7), 1002));

    assertThat(check(deliveries).mismatched()).isEqualTo(1);
  }

  @Test
  void resetEventsCountOverflowDoesNot() {
    List<Delivery> deliveries = inOrder();
    deliveries.add(2, new Delivery("overflow", null, "{}", 1));
    deliveries.add(new Delivery("reset", "3", "{\"reason\":\"retention\"}", 2));

    DeliveryChecker.TenantResult result = check(deliveries);

    assertThat(result.control()).isEqualTo(1);
    assertThat(result.events()).isEqualTo(5);
    assertThat(result.clean()).isFalse();
  }

  @Test
  void aTenantWhoseClientGotNothingLosesEverything() {
    DeliveryChecker.Report report = DeliveryChecker.check(Map.of(T, WRITES), Map.of());

    assertThat(report.lost()).isEqualTo(5);
    assertThat(report.events()).isZero();
    assertThat(report.clean()).isFalse();
    assertThat(DeliveryChecker.problems(report)).containsOnlyKeys(T);
  }

  @Test
  void totalsAddUpOverTenants() {
    List<Workload.Write> writes = Workload.generate(42, 300, 3);
    Map<String, List<Workload.Write>> byTenant = Workload.byTenant(writes);
    Map<String, List<Delivery>> received = new java.util.HashMap<>();
    byTenant.forEach(
        (tenant, list) -> {
          List<Delivery> deliveries = new ArrayList<>();
          for (int i = 0; i < list.size(); i++) {
            deliveries.add(Delivery.message(i + 1, envelope(list.get(i), i + 1), i));
          }
          received.put(tenant, deliveries);
        });
    received.get("t01").remove(10);

    DeliveryChecker.Report report = DeliveryChecker.check(byTenant, received);

    assertThat(report.writes()).isEqualTo(300);
    assertThat(report.events()).isEqualTo(299);
    assertThat(report.lost()).isEqualTo(1);
    assertThat(report.gaps()).isEqualTo(1);
    assertThat(DeliveryChecker.problems(report)).containsOnlyKeys("t01");
  }
}
