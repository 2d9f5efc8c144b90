package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void seededMixOfAllOperationsOverAllTenants() {
    List<Workload.Write> writes = Workload.generate(7, 20_000, 20);

    assertThat(writes).hasSize(20_000);
    assertThat(writes).extracting(Workload.Write::seq).startsWith(1, 2, 3).endsWith(20_000);
    assertThat(Workload.byTenant(writes)).hasSize(20);
    Map<Workload.Op, Long> ops =
        writes.stream().collect(Collectors.groupingBy(Workload.Write::op, Collectors.counting()));
    assertThat(ops).containsOnlyKeys(Workload.Op.values());
    assertThat(ops.values()).allSatisfy(n -> assertThat(n).isGreaterThan(1_000));
    assertThat(Workload.generate(7, 20_000, 20)).isEqualTo(writes);
  }

  @Test
  void writesOnlyTouchLiveDocumentsAndEveryIdentityIsUnique() {
    List<Workload.Write> writes = Workload.generate(11, 5_000, 5);
    Set<String> live = new HashSet<>();
    Set<String> identities = new HashSet<>();
    for (Workload.Write write : writes) {
      assertThat(write.docId()).startsWith(write.tenant() + "-");
      switch (write.op()) {
        case INSERT -> assertThat(live.add(write.docId())).isTrue();
        case UPDATE, REPLACE -> assertThat(live).contains(write.docId());
        case DELETE -> assertThat(live.remove(write.docId())).isTrue();
      }
      assertThat(identities.add(write.identity())).as(write.identity()).isTrue();
    }
  }

  @Test
  void everyUpdateChangesEveryFieldItSets() {
    Map<String, org.bson.Document> state = new java.util.HashMap<>();
    for (Workload.Write write : Workload.generate(13, 5_000, 3)) {
      switch (write.op()) {
        case INSERT -> state.put(write.docId(), new org.bson.Document(write.body()));
        case REPLACE -> state.put(write.docId(), new org.bson.Document(write.body()));
        case UPDATE -> {
          org.bson.Document before = state.get(write.docId());
          write
              .body()
              .forEach(
                  (field, value) -> assertThat(before.get(field)).as(field).isNotEqualTo(value));
          before.putAll(write.body());
        }
        case DELETE -> state.remove(write.docId());
      }
    }
  }

  @Test
  void expectedDocumentsCarryTheTenantAndTheWrite() {
    for (Workload.Write write : Workload.generate(3, 500, 4)) {
      switch (write.op()) {
        case INSERT, REPLACE ->
            assertThat(write.expectedJson())
                .contains("\"_id\": \"" + write.docId() + "\"")
                .contains("\"tenantId\": \"" + write.tenant() + "\"")
                .contains("\"w\": " + write.seq());
        case UPDATE -> assertThat(write.expectedJson()).contains("\"w\": " + write.seq());
        case DELETE -> assertThat(write.expectedJson()).isEqualTo("null");
      }
    }
  }
}
