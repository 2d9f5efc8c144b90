package io.changecast.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThroughputScenarioTest {

  @Test
  void everyFloorAppIsAFloorAndNoRouterIs() {
    // router-writes is a floor app whose name starts like the routers'
    List<String> contenders = ThroughputScenario.contenders(List.of(StreamsFloorApp.Kind.values()));
    assertThat(contenders)
        .filteredOn(ThroughputScenario::isFloor)
        .containsExactlyElementsOf(
            List.of(StreamsFloorApp.Kind.values()).stream().map(StreamsFloorApp.Kind::id).toList());
    assertThat(contenders)
        .filteredOn(c -> !ThroughputScenario.isFloor(c))
        .containsExactly("router", "router-database-tenant");
    assertThat(ThroughputScenario.isFloor("router-b")).isFalse();
  }
}
