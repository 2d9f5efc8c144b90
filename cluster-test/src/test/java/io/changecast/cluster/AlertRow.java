package io.changecast.cluster;

import java.util.List;
import java.util.Optional;

/**
 * One alert proven on the running deployment: the situation, when it began ({@code faultAt}) and
 * ended ({@code fixedAt}), and when Prometheus listed the alert pending, firing and no more (epoch
 * ms; empty: not seen).
 */
record AlertRow(
    String alert,
    String situation,
    long faultAt,
    Optional<Long> pendingAt,
    Optional<Long> firingAt,
    long fixedAt,
    Optional<Long> resolvedAt) {

  /** The heading of {@link #markdown}'s section. */
  static final String HEADING = "## Alerts on real situations (ComposeDeploymentIT)";

  /**
   * The rows as a Markdown table (times in seconds after the situation began), then every change.
   */
  static String markdown(List<AlertRow> rows, List<AlertWatch.Change> changes, long origin) {
    StringBuilder out = new StringBuilder(HEADING + "\n\n");
    out.append(
        "Read from Prometheus's `/api/v1/alerts` once a second; times in seconds after the"
            + " situation began.\n\n");
    out.append("| alert | situation | pending | firing | situation ended | resolved |\n");
    out.append("| --- | --- | --- | --- | --- | --- |\n");
    for (AlertRow r : rows) {
      out.append("| ")
          .append(r.alert())
          .append(" | ")
          .append(r.situation())
          .append(" | ")
          .append(after(r.pendingAt(), r.faultAt()))
          .append(" | ")
          .append(after(r.firingAt(), r.faultAt()))
          .append(" | ")
          .append(r.fixedAt() == r.faultAt() ? "—" : seconds(r.fixedAt() - r.faultAt()))
          .append(" | ")
          .append(after(r.resolvedAt(), r.faultAt()))
          .append(" |\n");
    }
    out.append("\nEvery state change seen (seconds after the dead letter was written):\n\n");
    for (AlertWatch.Change c : changes) {
      out.append("- ")
          .append(seconds(c.at() - origin))
          .append(' ')
          .append(c.alert())
          .append(" → ")
          .append(c.state().name().toLowerCase(java.util.Locale.ROOT))
          .append('\n');
    }
    return out.toString();
  }

  private static String after(Optional<Long> at, long origin) {
    return at.map(t -> seconds(t - origin)).orElse("never");
  }

  private static String seconds(long millis) {
    return "%.1f s".formatted(millis / 1000.0);
  }
}
