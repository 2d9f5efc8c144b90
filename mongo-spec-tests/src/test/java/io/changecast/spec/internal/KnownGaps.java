package io.changecast.spec.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checked-in list of specification tests the embedded server fails for a feature it lacks
 * ({@code known-gaps.tsv}: file, test description, reason; {@code #} starts a comment). A listed
 * test still runs: it is skipped with the reason when it fails, and fails when it passes.
 */
public final class KnownGaps {

  /** One listed test. */
  public record Gap(String file, String description, String reason) {
    public String key() {
      return file + "\t" + description;
    }
  }

  private final Map<String, Gap> gaps;

  private KnownGaps(Map<String, Gap> gaps) {
    this.gaps = gaps;
  }

  /** Reads the list from the class path resource {@code name}. */
  public static KnownGaps load(String name) {
    Map<String, Gap> gaps = new LinkedHashMap<>();
    try (InputStream in = KnownGaps.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("no " + name + " on the class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t");
        if (fields.length != 3 || fields[2].isBlank()) {
          throw new IllegalStateException(
              name + ":" + lineNumber + ": expected file<TAB>description<TAB>reason: " + line);
        }
        Gap gap = new Gap(fields[0], fields[1], fields[2]);
        if (gaps.put(gap.key(), gap) != null) {
          throw new IllegalStateException(name + ":" + lineNumber + ": listed twice: " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new KnownGaps(gaps);
  }

  /** Rewrites the list at {@code source} without the lines of {@code passing}. */
  public static void prune(java.nio.file.Path source, Set<Gap> passing) throws IOException {
    Set<String> keys = new java.util.HashSet<>();
    passing.forEach(g -> keys.add(g.key()));
    java.util.List<String> kept = new java.util.ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(source, StandardCharsets.UTF_8)) {
      String[] fields = line.split("\t");
      if (line.startsWith("#")
          || fields.length < 2
          || !keys.contains(fields[0] + "\t" + fields[1])) {
        kept.add(line);
      }
    }
    java.nio.file.Files.write(source, kept, StandardCharsets.UTF_8);
  }

  /** The gap listed for test {@code description} of {@code file}. */
  public Optional<Gap> find(String file, String description) {
    return Optional.ofNullable(gaps.get(file + "\t" + description));
  }

  /** The listed gaps whose test is not among {@code keys} (file TAB description). */
  public Set<Gap> unmatched(Set<String> keys) {
    return Set.copyOf(gaps.values().stream().filter(g -> !keys.contains(g.key())).toList());
  }
}
