package io.changecast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.changecast.bench.internal.FanOutScenario;
import io.changecast.bench.internal.FanOutScenario.Shape;
import io.changecast.bench.internal.LoopbackFloorScenario;
import io.changecast.bench.internal.ThroughputScenario;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  @Test
  void fanOutShapesAreParsedOnceIntoShapesThatReplaceTheModes() {
    BenchOptions options =
        BenchOptions.parse("--fan-out-shapes", "1x1000,1000x10", "--fan-out-rates", "50000");

    assertThat(options.fanOutShapes()).containsExactly(new Shape(1, 1000), new Shape(1000, 10));
    FanOutScenario.Plan plan =
        FanOutScenario.plan(
            options.mode(), options.connections(), options.fanOutShapes(), options.fanOutRates());
    assertThat(plan.shapes()).containsExactly(new Shape(1, 1000), new Shape(1000, 10));
    assertThat(plan.deliveryRates()).containsExactly(50_000);
  }

  @Test
  void withoutShapesThePlanKeepsTheModes() {
    BenchOptions options = BenchOptions.parse("--mode", "quick");

    assertThat(options.fanOutShapes()).isEmpty();
    assertThat(FanOutScenario.plan(Mode.QUICK, 0, List.of(), List.of()).shapes())
        .containsExactly(new Shape(1, 100), new Shape(10, 10));
  }

  @Test
  void malformedOrOversizedShapesAreRejectedWithTheOptionsForm() {
    for (String bad : List.of("1x0", "1000", "1x10,x10", "1x10000000000", "ax1")) {
      assertThatThrownBy(() -> BenchOptions.parse("--fan-out-shapes", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--fan-out-shapes must be TENANTSxSUBSCRIBERS[,...], got \"" + bad + "\"");
    }
  }

  @Test
  void theLoopbackFloorRunsOnThePipelinesBrokerAndNoScenarioRunsWithoutThePipeline() {
    BenchOptions options = BenchOptions.parse("--scenario", "loopback-floor");

    assertThat(options.scenarios()).containsExactly(Scenario.LOOPBACK_FLOOR);
    assertThatThrownBy(() -> Bench.run(null, options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the scenarios run against the local pipeline (the loopback floor reads its broker)");
  }

  @Test
  void theLoopbackFloorRunsTheFanOutsShapesAndRatesSoTheirP99sDivide() {
    for (Mode mode : Mode.values()) {
      assertThat(LoopbackFloorScenario.plan(mode, 0, List.of(), List.of()))
          .isEqualTo(FanOutScenario.plan(mode, 0, List.of(), List.of()));
    }
    assertThat(LoopbackFloorScenario.plan(Mode.FULL, 0, List.of(), List.of()).shapes())
        .contains(new Shape(1, 10_000), new Shape(1_000, 10));
    List<Shape> shapes = List.of(new Shape(1_000, 10));
    assertThat(LoopbackFloorScenario.plan(Mode.FULL, 0, shapes, List.of(200_000)))
        .isEqualTo(FanOutScenario.plan(Mode.FULL, 0, shapes, List.of(200_000)));
  }

  @Test
  void routerAloneRunsOnlyTheNamedContendersInOrderAndRouterBNeedsItsClassPath() {
    BenchOptions options =
        BenchOptions.parse(
            "--scenario",
            "throughput",
            "--router-alone",
            "router-b,router,router-b,router",
            "--router-b-classpath",
            "/base/classes:/base/lib.jar");

    ThroughputScenario.Plan plan =
        ThroughputScenario.plan(Mode.FULL, 0)
            .onlyRouterAlone(options.routerAlone(), options.routerBClassPath());
    assertThat(plan.contenders()).containsExactly("router-b", "router", "router-b", "router");
    assertThat(plan.routerBClassPath()).isEqualTo("/base/classes:/base/lib.jar");
    assertThat(ThroughputScenario.plan(Mode.FULL, 0).onlyRouterAlone(List.of(), "").contenders())
        .isEmpty();
    assertThatThrownBy(
            () -> ThroughputScenario.plan(Mode.FULL, 0).onlyRouterAlone(List.of("router-b"), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--router-alone router-b needs --router-b-classpath CP");
    assertThatThrownBy(
            () -> ThroughputScenario.plan(Mode.FULL, 0).onlyRouterAlone(List.of("routr"), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--router-alone takes pass-through, parse-envelope, router,")
        .hasMessageEndingWith("; got routr");
  }
}
