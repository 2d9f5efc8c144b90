package io.changecast.config;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Validators of config keys. Each states what it expects in words ({@link #toString()}, shown in
 * errors and in the README tables) and leaves an unset value ({@code null}) alone.
 */
public final class Checks {

  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private Checks() {}

  /** A {@link ConfigDef.Validator} that names what it expects and why a value fails. */
  public static final class Check implements ConfigDef.Validator {
    private final String expectation;
    private final Function<Object, Optional<String>> reason;

    private Check(String expectation, Function<Object, Optional<String>> reason) {
      this.expectation = expectation;
      this.reason = reason;
    }

    /** Why {@code value} fails, e.g. {@code expected a number >= 1}; empty when it passes. */
    public Optional<String> reason(Object value) {
      return value == null ? Optional.empty() : reason.apply(value);
    }

    @Override
    public void ensureValid(String name, Object value) {
      reason(value)
          .ifPresent(
              because -> {
                throw new ConfigException(name, value, because);
              });
    }

    @Override
    public String toString() {
      return expectation;
    }
  }

  /** A value passing {@code test}, described as {@code expectation} (e.g. "a number >= 1"). */
  public static Check that(String expectation, java.util.function.Predicate<Object> test) {
    return new Check(
        expectation,
        value -> test.test(value) ? Optional.empty() : Optional.of("expected " + expectation));
  }

  /** A number of at least {@code min}. */
  public static Check atLeast(long min) {
    return that("a number >= " + min, value -> ((Number) value).longValue() >= min);
  }

  /** A number from {@code min} to {@code max}. */
  public static Check between(long min, long max) {
    return that(
        "a number from " + min + " to " + max,
        value -> ((Number) value).longValue() >= min && ((Number) value).longValue() <= max);
  }

  /** One of {@code choices}, ignoring case. */
  public static Check oneOf(String... choices) {
    String words =
        choices.length == 1
            ? choices[0]
            : String.join(", ", List.of(choices).subList(0, choices.length - 1))
                + " or "
                + choices[choices.length - 1];
    return that(
        words,
        value ->
            List.of(choices).stream().anyMatch(choice -> choice.equalsIgnoreCase(text(value))));
  }

  /** Text that is not blank. */
  public static Check nonBlank() {
    return that("a non-empty value", value -> !text(value).isBlank());
  }

  /**
   * A Kafka id such as an {@code application.id}: the characters of a topic name (it prefixes the
   * application's internal topics), at most 249 of them.
   */
  public static Check kafkaId() {
    return that(
        "letters, digits, '.', '_' and '-'", value -> TOPIC_NAME.matcher(text(value)).matches());
  }

  /** A Kafka topic name; with {@code emptyAllowed}, the empty string too. */
  public static Check topicName(boolean emptyAllowed) {
    String expectation = "a Kafka topic name (letters, digits, '.', '_', '-')";
    return that(
        emptyAllowed ? expectation + ", or empty for none" : expectation,
        value -> {
          String name = text(value);
          return (emptyAllowed && name.isEmpty())
              || (TOPIC_NAME.matcher(name).matches() && !name.equals(".") && !name.equals(".."));
        });
  }

  /** A Java regex (or, with {@code emptyAllowed}, the empty string). */
  public static Check regex(boolean emptyAllowed) {
    return new Check(
        emptyAllowed ? "a Java regex, or empty for none" : "a Java regex",
        value -> {
          String regex = text(value);
          if (regex.isEmpty()) {
            return emptyAllowed ? Optional.empty() : Optional.of("expected a Java regex");
          }
          try {
            Pattern.compile(regex);
            return Optional.empty();
          } catch (PatternSyntaxException e) {
            return Optional.of("expected a Java regex: " + e.getDescription());
          }
        });
  }

  /**
   * A value {@code parse} accepts; its {@link IllegalArgumentException}'s message is the reason.
   */
  public static Check parses(String expectation, java.util.function.Consumer<String> parse) {
    return new Check(
        expectation,
        value -> {
          try {
            parse.accept(text(value));
            return Optional.empty();
          } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
          }
        });
  }

  /** Why {@code validator} refuses {@code value}, in words; empty when it accepts it. */
  static Optional<String> reason(ConfigDef.Validator validator, String key, Object value) {
    if (validator == null || value == null) {
      return Optional.empty();
    }
    if (validator instanceof Check check) {
      return check.reason(value);
    }
    try {
      validator.ensureValid(key, value);
      return Optional.empty();
    } catch (ConfigException e) {
      return Optional.of("expected " + validator);
    }
  }

  private static String text(Object value) {
    return value instanceof Password secret ? secret.value() : value.toString();
  }
}
