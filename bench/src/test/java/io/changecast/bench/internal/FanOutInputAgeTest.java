package io.changecast.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The server's input lag per step, from two readings of its cumulative histogram. */
class FanOutInputAgeTest {
  private static NavigableMap<Double, Long> buckets(long at5, long at10, long at100, long all) {
    NavigableMap<Double, Long> buckets = new TreeMap<>();
    buckets.put(5.0, at5);
    buckets.put(10.0, at10);
    buckets.put(100.0, at100);
    buckets.put(Double.POSITIVE_INFINITY, all);
    return buckets;
  }

  @Test
  void onlyTheEventsOfTheStepCountAndEachQuantileIsItsBucketsUpperBound() {
    ObjectNode age =
        FanOutScenario.inputAge(
            buckets(1_000, 1_000, 1_000, 1_000), buckets(1_010, 1_060, 1_099, 1_100));

    assertThat(age.path("events").asLong()).isEqualTo(100);
    assertThat(age.path("p50AtMostMs").asText()).isEqualTo("10");
    assertThat(age.path("p99AtMostMs").asText()).isEqualTo("100");
  }

  @Test
  void aTailBeyondTheLastBoundIsInfAndAQuietStepHasNoFigure() {
    assertThat(
            FanOutScenario.inputAge(buckets(0, 0, 0, 0), buckets(0, 0, 90, 100))
                .path("p99AtMostMs")
                .asText())
        .isEqualTo("inf");
    assertThat(
            FanOutScenario.inputAge(buckets(5, 5, 5, 5), buckets(5, 5, 5, 5))
                .path("p50AtMostMs")
                .asText())
        .isEqualTo("-");
  }
}
