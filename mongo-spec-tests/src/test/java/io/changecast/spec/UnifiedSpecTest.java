package io.changecast.spec;

import static org.junit.jupiter.api.Assertions.fail;

import com.mongodb.internal.build.MongoDriverVersion;
import io.changecast.spec.internal.KnownGaps;
import io.changecast.spec.internal.LegacyTransactions;
import io.changecast.spec.internal.Requirements;
import io.changecast.spec.internal.SpecResults;
import io.changecast.spec.internal.SpecServer;
import io.changecast.spec.internal.TestRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * MongoDB's unified-format specification tests for change streams, transactions and sessions (the
 * build unpacks them into {@code spec.dir}), each a dynamic test named {@code file/description},
 * run with today's Java driver against the embedded MongoDB as a single-member replica set. A test
 * whose {@code runOnRequirements} exclude the server is skipped with the reason; one listed in
 * {@code known-gaps.tsv} is skipped with its reason when it fails and fails when it passes. The
 * counts go to {@code target/spec-results.md}.
 */
class UnifiedSpecTest {

  private static final List<String> SUITES =
      List.of(
          "change_streams/unified",
          "transactions/unified",
          "transactions/legacy",
          "sessions/unified");

  private static final SpecResults results = new SpecResults();
  private static final KnownGaps gaps = KnownGaps.load("known-gaps.tsv");
  private static SpecServer server;
  private static final Set<KnownGaps.Gap> passingGaps = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void startServer() {
    server = SpecServer.start();
  }

  @AfterAll
  static void summarize() throws IOException {
    try {
      // -Dspec.pruneGaps=true: drop the lines of listed tests that now pass from the source list
      String source = System.getProperty("spec.gapsSource");
      if (Boolean.getBoolean("spec.pruneGaps") && source != null && !passingGaps.isEmpty()) {
        KnownGaps.prune(Path.of(source), passingGaps);
        System.out.println("Removed " + passingGaps.size() + " passing tests from " + source);
      }
      String summary =
          results.markdown(server.version(), "Java driver " + MongoDriverVersion.VERSION);
      Path out = Path.of(System.getProperty("spec.results", "target/spec-results.md"));
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, summary, StandardCharsets.UTF_8);
      // the build log gets the table; the file also lists every test that did not pass, and why
      int details = summary.indexOf("\n## ");
      System.out.println(details < 0 ? summary : summary.substring(0, details));
      System.out.println("Every test that did not pass, with its reason: " + out.toAbsolutePath());
    } finally {
      server.close();
    }
  }

  @TestFactory
  Stream<DynamicNode> specificationTests() throws IOException {
    Path root = Path.of(System.getProperty("spec.dir", "target/spec-tests"));
    List<DynamicNode> files = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String suite : SUITES) {
      Path dir = root.resolve(suite);
      if (!Files.isDirectory(dir)) {
        fail(
            "no specification tests at "
                + dir
                + ": the build unpacks them (generate-test-resources)");
      }
      List<Path> paths;
      try (Stream<Path> listing = Files.list(dir)) {
        paths = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      }
      for (Path path : paths) {
        String name =
            (suite.endsWith("/legacy") ? suite : suite.substring(0, suite.indexOf('/')))
                + "/"
                + path.getFileName();
        BsonDocument file = BsonDocument.parse(Files.readString(path, StandardCharsets.UTF_8));
        if (suite.endsWith("/legacy")) {
          file = LegacyTransactions.convert(file);
        }
        BsonDocument unified = file;
        List<DynamicTest> tests = new ArrayList<>();
        for (BsonValue test : file.getArray("tests")) {
          String description = test.asDocument().getString("description").getValue();
          seen.add(name + "\t" + description);
          tests.add(
              DynamicTest.dynamicTest(
                  name + "/" + description, () -> run(name, unified, test.asDocument())));
        }
        files.add(DynamicContainer.dynamicContainer(name, tests));
      }
    }
    files.add(
        DynamicTest.dynamicTest(
            "known-gaps.tsv names only existing tests",
            () -> {
              Set<KnownGaps.Gap> stale = gaps.unmatched(seen);
              if (!stale.isEmpty()) {
                fail("known-gaps.tsv lists tests that do not exist: " + stale);
              }
            }));
    return files.stream();
  }

  private static void run(String name, BsonDocument file, BsonDocument test) {
    String description = test.getString("description").getValue();
    Optional<String> unmet =
        Requirements.unmet(file.getArray("runOnRequirements", new BsonArray()), server)
            .or(
                () ->
                    Requirements.unmet(test.getArray("runOnRequirements", new BsonArray()), server))
            .or(
                () ->
                    Optional.ofNullable(test.getString("skipReason", null))
                        .map(r -> "skipReason: " + r.getValue()));
    if (unmet.isPresent()) {
      results.record(name, description, new SpecResults.SkippedByRequirement(unmet.get()));
      Assumptions.abort(unmet.get());
    }
    Optional<KnownGaps.Gap> gap = gaps.find(name, description);
    Throwable failure = null;
    try {
      new TestRun(server, file, test).run();
    } catch (AssertionError | RuntimeException e) {
      failure = e;
    }
    if (gap.isPresent()) {
      if (failure == null) {
        passingGaps.add(gap.get());
        results.record(
            name, description, new SpecResults.Failed("listed in known-gaps.tsv but passes"));
        fail(
            "listed in known-gaps.tsv ("
                + gap.get().reason()
                + ") but passes: remove it from the list (-Dspec.pruneGaps=true does)");
      }
      results.record(
          name, description, new SpecResults.KnownGap(gap.get().reason(), String.valueOf(failure)));
      Assumptions.abort("known gap: " + gap.get().reason() + " (fails with: " + failure + ")");
    }
    if (failure != null) {
      results.record(name, description, new SpecResults.Failed(String.valueOf(failure)));
      if (failure instanceof AssertionError assertion) {
        throw assertion;
      }
      throw (RuntimeException) failure;
    }
    results.record(name, description, new SpecResults.Passed());
  }
}
