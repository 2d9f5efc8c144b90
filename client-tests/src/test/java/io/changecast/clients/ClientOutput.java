package io.changecast.clients;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client script printed, one Extended JSON (relaxed) document a line: {@code {"inserted":
 * id}}, {@code {"committed": [id, id]}}, {@code {"aborted": count}}, then the change events it
 * read.
 */
record ClientOutput(
    JsonNode inserted, List<JsonNode> committed, long aborted, List<JsonNode> changes) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Parses the script's output; a line out of place is an {@link AssertionError} naming it. */
  static ClientOutput parse(ChildProcess.Finished run) {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : run.stdout()) {
      try {
        lines.add(JSON.readTree(line));
      } catch (JsonProcessingException e) {
        throw new AssertionError("not a JSON line: " + line + "\n" + run.describe(), e);
      }
    }
    if (lines.size() < 3
        || !lines.get(0).has("inserted")
        || !lines.get(1).has("committed")
        || !lines.get(2).has("aborted")) {
      throw new AssertionError(
          "expected inserted, committed, aborted, changes:\n" + run.describe());
    }
    List<JsonNode> committed = new ArrayList<>();
    lines.get(1).get("committed").forEach(committed::add);
    return new ClientOutput(
        lines.get(0).get("inserted"),
        List.copyOf(committed),
        lines.get(2).get("aborted").asLong(),
        List.copyOf(lines.subList(3, lines.size())));
  }
}
