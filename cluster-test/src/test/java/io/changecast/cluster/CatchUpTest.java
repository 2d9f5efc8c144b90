package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CatchUpTest {

  @Test
  void writesBeforeTheRecoveryCountFromTheRecovery() {
    // acknowledged at 100 and 200, recovery ended at 1000, delivered at 1500 and 1200
    assertThat(CatchUp.maxMillis(Map.of(1, 100L, 2, 200L), Map.of(1, 1500L, 2, 1200L), 1000))
        .hasValue(500);
  }

  @Test
  void writesAfterTheRecoveryCountFromTheirAcknowledgement() {
    assertThat(CatchUp.maxMillis(Map.of(1, 2000L, 2, 3000L), Map.of(1, 2010L, 2, 3400L), 1000))
        .hasValue(400);
  }

  @Test
  void everythingDeliveredBeforeTheRecoveryIsZero() {
    assertThat(CatchUp.maxMillis(Map.of(1, 100L), Map.of(1, 150L), 1000)).hasValue(0);
  }

  @Test
  void anUndeliveredWriteIsNeverCaughtUp() {
    assertThat(CatchUp.maxMillis(Map.of(1, 100L, 2, 200L), Map.of(1, 150L), 1000)).isEmpty();
  }
}
