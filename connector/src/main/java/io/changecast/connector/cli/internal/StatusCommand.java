package io.changecast.connector.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code status [NAME]}: connector and task states; fails when a connector or task failed. */
record StatusCommand(PrintStream out, String connectUrl) implements ConnectCommand {

  @Override
  public boolean run(List<String> argv) throws ConnectClient.ConnectUnreachable {
    Args args = Args.parse(argv, Set.of("--connect"), Set.of());
    if (args.positional().size() > 1) {
      throw new Args.UsageException("status takes at most one connector NAME");
    }
    ConnectClient client = new ConnectClient(args.option("--connect").orElse(connectUrl));
    if (args.positional().size() == 1) {
      String name = args.positional().get(0);
      ConnectClient.Response response = client.status(name);
      if (response.status() == 404) {
        out.println(name + ": no such connector on " + client.base());
        return false;
      }
      if (response.status() != 200) {
        out.println(name + ": HTTP " + response.status() + ": " + response.message());
        return false;
      }
      return printStatus(name, response.body());
    }
    ConnectClient.Response response = client.statuses();
    if (response.status() != 200) {
      out.println(client.base() + ": HTTP " + response.status() + ": " + response.message());
      return false;
    }
    if (response.body().isEmpty()) {
      out.println("no connectors on " + client.base());
      return true;
    }
    boolean healthy = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = response.body().fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      healthy &= printStatus(e.getKey(), e.getValue().path("status"));
    }
    return healthy;
  }

  /** Prints one connector's status; false when the connector or a task has failed. */
  private boolean printStatus(String name, JsonNode status) {
    JsonNode connector = status.path("connector");
    String state = connector.path("state").asText("UNKNOWN");
    boolean healthy = !"FAILED".equals(state);
    StringBuilder line =
        new StringBuilder(name)
            .append(": connector ")
            .append(state)
            .append(" on ")
            .append(connector.path("worker_id").asText("?"));
    appendTrace(line, connector);
    if (status.path("tasks").isEmpty()) {
      line.append("; no tasks");
    }
    for (JsonNode task : status.path("tasks")) {
      String taskState = task.path("state").asText("UNKNOWN");
      healthy &= !"FAILED".equals(taskState);
      line.append("; task ").append(task.path("id").asText("?")).append(' ').append(taskState);
      appendTrace(line, task);
    }
    out.println(line);
    return healthy;
  }

  /** Appends the first line of a connector's or task's trace, if it has one. */
  private static void appendTrace(StringBuilder line, JsonNode state) {
    String text = state.path("trace").asText("");
    int nl = text.indexOf('\n');
    String first = (nl < 0 ? text : text.substring(0, nl)).trim();
    if (!first.isEmpty()) {
      line.append(" (").append(first).append(")");
    }
  }
}
