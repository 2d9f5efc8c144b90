package io.changecast.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** The run's summary as a Markdown table ({@code cluster-test/target/cluster-results.md}). */
final class ResultsTable {

  /** Everything the summary shows. {@code maxCatchUp} empty: some write was never delivered. */
  record Summary(
      long seed,
      Map<FaultKind, Integer> faultsInjected,
      int faultsDuringWrites,
      DeliveryChecker.Report report,
      OptionalLong maxCatchUpMillis,
      Duration catchUpBound,
      List<String> prometheus,
      List<String> failures) {}

  private ResultsTable() {}

  static String markdown(Summary s) {
    DeliveryChecker.Report r = s.report();
    int faults = s.faultsInjected().values().stream().mapToInt(Integer::intValue).sum();
    String byKind =
        s.faultsInjected().entrySet().stream()
            .map(e -> e.getKey().label + " × " + e.getValue())
            .collect(Collectors.joining(", "));
    String catchUp =
        s.maxCatchUpMillis().isPresent()
            ? "%.1f s (bound %d s)"
                .formatted(s.maxCatchUpMillis().getAsLong() / 1000.0, s.catchUpBound().toSeconds())
            : "never (a write was not delivered)";
    StringBuilder out = new StringBuilder();
    out.append("# Cluster fault test\n\n");
    out.append("| | |\n| --- | --- |\n");
    row(out, "result", s.failures().isEmpty() ? "PASS" : "FAIL");
    row(out, "seed", s.seed() + " (replay: `-Dcluster.seed=" + s.seed() + "`)");
    row(out, "faults injected", faults + ": " + byKind);
    row(out, "faults while writes flowed", Integer.toString(s.faultsDuringWrites()));
    row(out, "tenants", Integer.toString(r.tenants().size()));
    row(out, "writes", Integer.toString(r.writes()));
    row(out, "events received", Integer.toString(r.events()));
    row(out, "lost", Integer.toString(r.lost()));
    row(out, "duplicated", Integer.toString(r.duplicated()));
    row(out, "gaps", Integer.toString(r.gaps()));
    row(out, "out of order", Integer.toString(r.outOfOrder()));
    row(out, "mismatched documents", Integer.toString(r.mismatched()));
    row(out, "control events (reset, …)", Integer.toString(r.control()));
    row(out, "max catch-up after the last recovery", catchUp);
    row(out, "Prometheus", String.join("; ", s.prometheus()));
    if (!s.failures().isEmpty()) {
      out.append("\n## Failures\n\n");
      s.failures().forEach(f -> out.append("- ").append(f).append('\n'));
    }
    return out.toString();
  }

  private static void row(StringBuilder out, String name, String value) {
    out.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
  }
}
