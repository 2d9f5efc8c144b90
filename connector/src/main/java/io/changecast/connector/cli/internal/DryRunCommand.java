package io.changecast.connector.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.connector.source.ChangecastSourceChecks;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code dry-run FILE --sample DOCS.json}: the tenants, types and raw topics of sample documents.
 */
record DryRunCommand(PrintStream out) implements ConnectCommand {

  @Override
  public boolean run(List<String> argv) {
    Args args =
        Args.parse(
            argv,
            Set.of("--sample", "--tenant-strategy", "--tenant-field", "--collection"),
            Set.of("--tenant-database"));
    if (args.positional().size() != 1) {
      throw new Args.UsageException("dry-run needs exactly one FILE");
    }
    String samples =
        args.option("--sample")
            .orElseThrow(() -> new Args.UsageException("dry-run needs --sample DOCS.json"));
    Path file = Path.of(args.positional().get(0));
    ConnectorConfigFile config = ConfigFiles.read(file);
    DryRun dryRun =
        new DryRun(
            config,
            DryRun.strategy(
                args.option("--tenant-strategy"),
                args.option("--tenant-field"),
                args.flag("--tenant-database")));
    var refused = dryRun.namespaceWideEvents();
    if (refused.isPresent()) {
      out.println(refused.get().render(file)); // what validate says: the dry-run would mislead
      return false;
    }
    if (dryRun.fullDocumentOnly()) {
      out.println(
          file
              + ": publish.full.document.only=true: with its "
              + ChangecastSourceChecks.FULL_DOCUMENT_PATTERN_KEY
              + " matching the raw topics, the router makes every document a <collection>.replaced"
              + " event and every tombstone (a delete) a <collection>.deleted event");
    }
    String collection = args.option("--collection").orElse(null);
    List<DryRun.Outcome> outcomes = new ArrayList<>();
    for (JsonNode sample : DryRun.readSamples(Path.of(samples))) {
      outcomes.add(dryRun.evaluate(sample, collection));
    }
    DryRun.describe(outcomes).forEach(out::println);
    return outcomes.stream()
        .noneMatch(
            o -> o instanceof DryRun.Outcome.DeadLettered || o instanceof DryRun.Outcome.Invalid);
  }
}
