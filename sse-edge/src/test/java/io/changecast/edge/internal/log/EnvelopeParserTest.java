package io.changecast.edge.internal.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The envelope's few fields, read in one pass over its tokens without a tree. */
class EnvelopeParserTest {

  private static EnvelopeParser.Parsed parsed(String key, String value) {
    EnvelopeParser.Result result = EnvelopeParser.parse(key, value);
    assertThat(result).isInstanceOf(EnvelopeParser.Parsed.class);
    return (EnvelopeParser.Parsed) result;
  }

  private static String invalid(String key, String value) {
    EnvelopeParser.Result result = EnvelopeParser.parse(key, value);
    assertThat(result).isInstanceOf(EnvelopeParser.Invalid.class);
    return ((EnvelopeParser.Invalid) result).reason();
  }

  @Test
  void readsTheTopLevelFieldsAndKeepsTheValueAsTheEventsJson() {
    String value =
        "{\"id\":\"42\",\"tenant\":\"acme\",\"data\":{\"id\":7,\"routedAt\":1,\"tenant\":\"x\"},"
            + "\"clusterTime\":{\"$timestamp\":{\"t\":1700000000,\"i\":3}},\"routedAt\":1700000000123}";

    EnvelopeParser.Parsed parsed = parsed("acme", value);

    assertThat(parsed.event()).isEqualTo(new Event("acme", 42, value));
    assertThat(parsed.routedAt()).isEqualTo(OptionalLong.of(1700000000123L));
    assertThat(parsed.clusterTime()).isEqualTo(Optional.of(new ClusterTime(1700000000, 3)));
  }

  @Test
  void theTenantComesFromTheKeyElseTheEnvelopeAndTheLastOfARepeatedFieldCounts() {
    assertThat(parsed(null, "{\"tenant\":\"acme\",\"id\":1,\"id\":2}").event())
        .isEqualTo(new Event("acme", 2, "{\"tenant\":\"acme\",\"id\":1,\"id\":2}"));
    assertThat(parsed("globex", "{\"tenant\":\"acme\",\"id\":1}").event().tenant())
        .isEqualTo("globex");
    assertThat(
            parsed(null, "{\"id\":1,\"clusterTime\":{\"t\":5,\"i\":6},\"tenant\":\"a\"}")
                .clusterTime())
        .isEqualTo(Optional.of(new ClusterTime(5, 6)));
  }

  @Test
  void aRoutedAtThatIsNotAnIntegerIsAbsent() {
    assertThat(parsed("a", "{\"id\":1,\"routedAt\":\"soon\"}").routedAt()).isEmpty();
    assertThat(parsed("a", "{\"id\":1,\"routedAt\":1.5}").routedAt()).isEmpty();
    assertThat(parsed("a", "{\"id\":1,\"routedAt\":{\"x\":1}}").routedAt()).isEmpty();
  }

  @Test
  void anEnvelopeOverSeveralLinesIsRewrittenOnOne() {
    assertThat(parsed("a", "{\"id\":1,\n \"x\":[1,\r\n2]}").event().json())
        .isEqualTo("{\"id\":1,\"x\":[1,2]}");
  }

  @Test
  void whatIsNotAUsableEnvelopeIsInvalidWithItsReason() {
    assertThat(invalid("a", null)).isEqualTo("record has no value");
    assertThat(invalid("a", "")).isEqualTo("value is not a JSON object");
    assertThat(invalid("a", "[1]")).isEqualTo("value is not a JSON object");
    assertThat(invalid("a", "null")).isEqualTo("value is not a JSON object");
    assertThat(invalid("a", "{\"id\":1")).startsWith("value is not JSON: Unexpected end-of-input");
    assertThat(invalid("a", "{\"id\":1,\"data\":{\"x\":tru}}")).startsWith("value is not JSON: ");
    assertThat(invalid("a", "{\"tenant\":\"a\"}"))
        .isEqualTo("envelope id is not a non-negative integer: null");
    assertThat(invalid("a", "{\"id\":-1}"))
        .isEqualTo("envelope id is not a non-negative integer: -1");
    assertThat(invalid("a", "{\"id\":\"x1\"}"))
        .isEqualTo("envelope id is not a non-negative integer: \"x1\"");
    assertThat(invalid(null, "{\"id\":1}")).startsWith("invalid tenant: ");
    assertThat(invalid(null, "{\"id\":1,\"tenant\":{\"a\":1}}")).startsWith("invalid tenant: ");
  }
}
