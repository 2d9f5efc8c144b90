package io.changecast.mongostandin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mongo commands of the shipped docker-compose.yml, read at test time so that the tests follow
 * the compose file: the image must accept exactly what it runs.
 */
final class Compose {

  private static final Path FILE = Path.of("..", "docker-compose.yml");

  private Compose() {}

  private static JsonNode services() {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(FILE)).get("services");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> strings(JsonNode array) {
    if (array == null || !array.isArray()) {
      throw new IllegalStateException("expected a list in " + FILE + ", found " + array);
    }
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  /** Service {@code mongo}'s command: {@code [mongod, --replSet, rs0, ...]}. */
  static List<String> mongodCommand() {
    return strings(services().get("mongo").get("command"));
  }

  /** Service {@code mongo}'s healthcheck test: {@code [CMD, mongosh, ...]}. */
  static List<String> healthcheck() {
    return strings(services().get("mongo").get("healthcheck").get("test"));
  }

  /** Service {@code mongo-init}'s command: {@code [mongosh, --quiet, --host, mongo:27017, ...]}. */
  static List<String> initCommand() {
    return strings(services().get("mongo-init").get("command"));
  }

  /** {@code command} without its program name ({@code mongod}/{@code mongosh}), as an array. */
  static String[] argsOf(List<String> command, String program) {
    int at = command.indexOf(program);
    if (at < 0) {
      throw new IllegalStateException(program + " is not in " + command);
    }
    return command.subList(at + 1, command.size()).toArray(String[]::new);
  }

  /** {@code args} with the value after {@code --host} replaced by {@code host}. */
  static String[] withHost(String[] args, String host) {
    String[] copy = args.clone();
    for (int i = 0; i < copy.length - 1; i++) {
      if (copy[i].equals("--host")) {
        copy[i + 1] = host;
        return copy;
      }
    }
    throw new IllegalStateException("no --host in " + List.of(args));
  }
}
