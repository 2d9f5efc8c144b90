package io.changecast.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The README's examples: the fenced block after {@code <!-- example: name -->}. */
final class ReadmeExamples {

  private static final Path README = Path.of("..", "README.md");

  private ReadmeExamples() {}

  /** The lines of the fenced block that follows {@code <!-- example: name -->}. */
  static List<String> block(String name) {
    List<String> lines = lines(README);
    int marker = lines.indexOf("<!-- example: " + name + " -->");
    assertThat(marker).as("README marker for example %s", name).isNotNegative();
    int open = marker + 1;
    assertThat(lines.get(open)).as("fence after the %s marker", name).startsWith("```");
    int close = open + 1;
    while (!lines.get(close).startsWith("```")) {
      close++;
    }
    return lines.subList(open + 1, close);
  }

  /**
   * Asserts that the README's block for {@code file} (a path from the repository's root) is its
   * text.
   */
  static void assertBlockIsIn(String file) {
    List<String> block = block(file);
    List<String> source = lines(Path.of("..").resolve(file));
    boolean found = false;
    for (int start = 0; !found && start + block.size() <= source.size(); start++) {
      found = source.subList(start, start + block.size()).equals(block);
    }
    assertThat(found).as("the README's snippet for %s is the file's text", file).isTrue();
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
