package io.changecast.spec.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each specification test came to, per file, rendered as the Markdown summary {@code
 * target/spec-results.md}.
 */
public final class SpecResults {

  /** How one test ended. */
  public sealed interface Result permits Passed, Failed, SkippedByRequirement, KnownGap {}

  /** The test passed. */
  public record Passed() implements Result {}

  /** The test failed with {@code message}. */
  public record Failed(String message) implements Result {}

  /** {@code runOnRequirements} exclude the embedded server. */
  public record SkippedByRequirement(String reason) implements Result {}

  /** Listed in known-gaps.tsv and failed as expected. */
  public record KnownGap(String reason, String failure) implements Result {}

  private final Map<String, Map<String, Result>> byFile = new TreeMap<>();

  /** Records how test {@code description} of {@code file} ended. */
  public synchronized void record(String file, String description, Result result) {
    byFile.computeIfAbsent(file, f -> new java.util.LinkedHashMap<>()).put(description, result);
  }

  /** The summary. */
  public synchronized String markdown(String serverVersion, String driver) {
    StringBuilder out = new StringBuilder();
    out.append("# MongoDB specification tests against the embedded server\n\n")
        .append("Server: embedded MongoDB, single-member replica set, buildInfo ")
        .append(serverVersion)
        .append("; client: ")
        .append(driver)
        .append(".\n\n")
        .append(
            "| file | tests | passed | failed | skipped (requirements) | skipped (known gap) |\n")
        .append("|---|---:|---:|---:|---:|---:|\n");
    int[] total = new int[5];
    for (Map.Entry<String, Map<String, Result>> file : byFile.entrySet()) {
      int[] counts = counts(file.getValue().values());
      for (int i = 0; i < counts.length; i++) {
        total[i] += counts[i];
      }
      row(out, file.getKey(), counts);
    }
    row(out, "**total**", total);
    List<String> sections = new ArrayList<>();
    for (Map.Entry<String, Map<String, Result>> file : byFile.entrySet()) {
      StringBuilder section = new StringBuilder();
      file.getValue()
          .forEach(
              (description, result) -> {
                String line = null;
                if (result instanceof Failed f) {
                  line = "FAILED: " + oneLine(f.message());
                } else if (result instanceof SkippedByRequirement s) {
                  line = "skipped, requirements: " + s.reason();
                } else if (result instanceof KnownGap g) {
                  line =
                      "skipped, known gap: "
                          + g.reason()
                          + " (fails with: "
                          + oneLine(g.failure())
                          + ")";
                }
                if (line != null) {
                  section.append("- ").append(description).append(": ").append(line).append('\n');
                }
              });
      if (!section.isEmpty()) {
        sections.add("### " + file.getKey() + "\n\n" + section);
      }
    }
    if (!sections.isEmpty()) {
      out.append("\n## Tests that did not pass\n\n").append(String.join("\n", sections));
    }
    return out.toString();
  }

  private static int[] counts(Iterable<Result> results) {
    int[] counts = new int[5];
    for (Result result : results) {
      counts[0]++;
      int column =
          result instanceof Passed
              ? 1
              : result instanceof Failed ? 2 : result instanceof SkippedByRequirement ? 3 : 4;
      counts[column]++;
    }
    return counts;
  }

  private static void row(StringBuilder out, String name, int[] counts) {
    out.append("| ").append(name);
    for (int count : counts) {
      out.append(" | ").append(count);
    }
    out.append(" |\n");
  }

  private static String oneLine(String text) {
    String line = String.valueOf(text).replace('\n', ' ');
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
