package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FaultScheduleTest {

  private static final Duration MIN = Duration.ofSeconds(2);
  private static final Duration MAX = Duration.ofSeconds(12);

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 42, -7, Long.MAX_VALUE})
  void everyKindAtLeastThreeTimesAtLeastFifteenInAll(long seed) {
    FaultSchedule schedule = FaultSchedule.plan(seed, 3, MIN, MAX);

    assertThat(schedule.faults()).hasSizeGreaterThanOrEqualTo(15);
    Map<FaultKind, Integer> counts = schedule.countByKind();
    assertThat(counts).containsOnlyKeys(FaultKind.values());
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(3));
    assertThat(schedule.faults())
        .allSatisfy(
            f -> {
              assertThat(f.before()).isBetween(MIN, MAX);
              assertThat(f.target()).isNotNegative();
            });
    assertThat(schedule.faults()).extracting(FaultSchedule.Fault::index).startsWith(1, 2, 3);
  }

  @Test
  void theSameSeedGivesTheSameSchedule() {
    assertThat(FaultSchedule.plan(1234, 3, MIN, MAX))
        .isEqualTo(FaultSchedule.plan(1234, 3, MIN, MAX));
  }

  @Test
  void anotherSeedGivesAnotherOrder() {
    assertThat(FaultSchedule.plan(1, 3, MIN, MAX).faults())
        .isNotEqualTo(FaultSchedule.plan(2, 3, MIN, MAX).faults());
  }

  @Test
  void moreFaultsPerKind() {
    FaultSchedule schedule = FaultSchedule.plan(5, 4, MIN, MAX);

    assertThat(schedule.faults()).hasSize(20);
    assertThat(schedule.countByKind().values()).containsOnly(4);
  }

  @Test
  void aFixedQuietTime() {
    assertThat(FaultSchedule.plan(5, 3, MIN, MIN).faults())
        .extracting(FaultSchedule.Fault::before)
        .containsOnly(MIN);
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> FaultSchedule.plan(1, 0, MIN, MAX))
        .hasMessage("perKind must be at least 1, was 0");
    assertThatThrownBy(() -> FaultSchedule.plan(1, 3, MAX, MIN))
        .hasMessage("quiet times must satisfy 0 <= min <= max, were PT12S and PT2S");
  }
}
