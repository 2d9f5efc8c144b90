package io.changecast.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The README's config tables, generated from a {@link ConfigDef}: one row per key (key, default,
 * valid values, meaning) in the definition's order. In a README a table stands between the lines
 * {@code <!-- config-table:NAME begin -->} and {@code <!-- config-table:NAME end -->}; each
 * module's tests compare it with the generated one ({@link #inReadme}) and rewrite it with {@link
 * #writeToReadme}.
 */
public final class ConfigTable {

  /** The system property that makes the README tests rewrite the tables instead of failing. */
  public static final String UPDATE_PROPERTY = "changecast.readme.update";

  private ConfigTable() {}

  /** The markdown table of the keys of {@code definition} that {@code keys} selects. */
  public static String markdown(ConfigDef definition, Predicate<String> keys) {
    StringBuilder table = new StringBuilder("| key | default | valid values | meaning |\n");
    table.append("| --- | --- | --- | --- |\n");
    for (ConfigKey key : definition.configKeys().values()) {
      if (!keys.test(key.name)) {
        continue;
      }
      table
          .append("| `")
          .append(key.name)
          .append("` | ")
          .append(defaultWords(key))
          .append(" | ")
          .append(cell(key.validator == null ? typeWords(key.type) : key.validator.toString()))
          .append(" | ")
          .append(cell(key.documentation))
          .append(" |\n");
    }
    return table.toString();
  }

  /**
   * The table {@code name} as it stands in {@code readme}, after rewriting it with {@code table}
   * when the system property {@value #UPDATE_PROPERTY} is {@code true}: a README test asserts that
   * it equals {@code table}.
   */
  public static String synced(Path readme, String name, String table) {
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      writeToReadme(readme, name, table);
    }
    return inReadme(readme, name);
  }

  /** The table {@code name} as it stands in {@code readme}. */
  public static String inReadme(Path readme, String name) {
    String text = read(readme);
    int begin = text.indexOf(begin(name));
    int end = text.indexOf(end(name));
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(
          readme + " has no " + begin(name) + " ... " + end(name) + " section");
    }
    return text.substring(begin + begin(name).length() + 1, end);
  }

  /** Replaces the table {@code name} in {@code readme} by {@code table}. */
  public static void writeToReadme(Path readme, String name, String table) {
    String text = read(readme);
    String current = inReadme(readme, name);
    int at = text.indexOf(begin(name)) + begin(name).length() + 1;
    String updated = text.substring(0, at) + table + text.substring(at + current.length());
    try {
      Files.writeString(readme, updated, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String typeWords(Type type) {
    return switch (type) {
      case BOOLEAN -> "true or false";
      case INT -> "a whole number (32-bit)";
      case SHORT -> "a whole number (16-bit)";
      case LONG -> "a whole number";
      case DOUBLE -> "a number";
      case LIST -> "a comma-separated list";
      default -> "text";
    };
  }

  private static String defaultWords(ConfigKey key) {
    if (!key.hasDefault()) {
      return "(required)";
    }
    if (key.defaultValue == null) {
      return "(not set)";
    }
    String value = key.defaultValue.toString();
    return value.isEmpty() ? "(empty)" : "`" + value + "`";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static String begin(String name) {
    return "<!-- config-table:" + name + " begin -->";
  }

  private static String end(String name) {
    return "<!-- config-table:" + name + " end -->";
  }

  private static String read(Path readme) {
    try {
      return Files.readString(readme, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
