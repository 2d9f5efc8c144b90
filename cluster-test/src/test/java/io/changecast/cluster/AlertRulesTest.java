package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The shipped alert rules ({@code deploy/prometheus/alerts.yml}): {@code promtool check rules}
 * accepts them and {@code promtool check config} the Prometheus config that loads them, {@code
 * promtool test rules} passes their unit tests ({@code alerts-test.yml}, where each alert must fire
 * on some synthetic series and stay silent on others), compose's Prometheus mounts them, and every
 * alert's {@code runbook_url} names a heading of {@code deploy/runbook.md}. Needs {@code promtool}
 * (Debian's {@code prometheus} package; {@code .ci/run} installs it), on the {@code PATH} or named
 * by {@code -Dpromtool=…}; without it the test fails, saying so.
 */
class AlertRulesTest {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path ROOT =
      Path.of(System.getProperty("cluster.composeDir", Path.of("..").toString()))
          .toAbsolutePath()
          .normalize();
  private static final Path PROMETHEUS = ROOT.resolve("deploy/prometheus");
  private static final Duration PROMTOOL_TIMEOUT = Duration.ofMinutes(2);

  @Test
  void promtoolChecksTheRules() {
    Shell.Result check = promtool("check", "rules", "alerts.yml");

    assertThat(check.exit()).as("promtool check rules:\n%s%s", check.out(), check.err()).isZero();
    assertThat(check.out()).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void promtoolChecksThePrometheusConfigWithItsRuleFiles() {
    Shell.Result check = promtool("check", "config", "prometheus.yml");

    assertThat(check.exit()).as("promtool check config:\n%s%s", check.out(), check.err()).isZero();
    assertThat(check.out()).contains("SUCCESS: 1 rule files found");
  }

  @Test
  void promtoolUnitTestsPass() {
    Shell.Result test = promtool("test", "rules", "alerts-test.yml");

    assertThat(test.exit()).as("promtool test rules:\n%s%s", test.out(), test.err()).isZero();
    assertThat(test.out()).contains("SUCCESS");
  }

  @Test
  void everyAlertHasUnitTestsWhereItFiresAndWhereItStaysSilent() throws IOException {
    JsonNode tests = YAML.readTree(PROMETHEUS.resolve("alerts-test.yml").toFile());
    assertThat(tests.path("rule_files").get(0).asText()).isEqualTo("alerts.yml");
    Set<String> fires = new TreeSet<>();
    Set<String> silent = new TreeSet<>();
    for (JsonNode test : tests.path("tests")) {
      for (JsonNode expectation : test.path("alert_rule_test")) {
        String alert = expectation.path("alertname").asText();
        (expectation.path("exp_alerts").isEmpty() ? silent : fires).add(alert);
      }
    }

    assertThat(fires).as("alerts with a test where they fire").containsExactlyElementsOf(alerts());
    assertThat(silent)
        .as("alerts with a test where they stay silent")
        .containsExactlyElementsOf(alerts());
  }

  @Test
  void everyAlertLinksItsRunbookParagraph() throws IOException {
    Set<String> anchors = new TreeSet<>();
    for (String line : Files.readAllLines(ROOT.resolve("deploy/runbook.md"))) {
      if (line.startsWith("## ")) {
        anchors.add(line.substring(3).strip().toLowerCase(Locale.ROOT));
      }
    }
    for (JsonNode rule : rules()) {
      String alert = rule.path("alert").asText();
      assertThat(rule.path("annotations").path("runbook_url").asText())
          .as("runbook_url of %s", alert)
          .isEqualTo("deploy/runbook.md#" + alert.toLowerCase(Locale.ROOT));
      assertThat(anchors).as("runbook headings").contains(alert.toLowerCase(Locale.ROOT));
      assertThat(rule.path("labels").path("severity").asText())
          .as("severity of %s", alert)
          .isIn("warning", "critical");
      assertThat(rule.path("annotations").path("summary").asText()).isNotBlank();
    }
  }

  @Test
  void composePrometheusLoadsTheRulesFile() throws IOException {
    JsonNode config = YAML.readTree(PROMETHEUS.resolve("prometheus.yml").toFile());
    List<String> ruleFiles = new ArrayList<>();
    config.path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
    assertThat(ruleFiles).containsExactly("alerts.yml");

    JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
    List<String> mounts = new ArrayList<>();
    compose
        .path("services")
        .path("prometheus")
        .path("volumes")
        .forEach(v -> mounts.add(v.asText()));
    // relative rule_files resolve against prometheus.yml's directory in the container
    assertThat(mounts)
        .contains(
            "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
            "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
  }

  private static List<String> alerts() {
    List<String> names = new ArrayList<>();
    rules().forEach(r -> names.add(r.path("alert").asText()));
    return names.stream().sorted().toList();
  }

  private static List<JsonNode> rules() {
    try {
      List<JsonNode> rules = new ArrayList<>();
      for (JsonNode group :
          YAML.readTree(PROMETHEUS.resolve("alerts.yml").toFile()).path("groups")) {
        group.path("rules").forEach(rules::add);
      }
      assertThat(rules).isNotEmpty();
      return rules;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Shell.Result promtool(String... args) {
    String promtool = System.getProperty("promtool", "promtool");
    List<String> command = new ArrayList<>(List.of(promtool));
    command.addAll(List.of(args));
    Shell.Result result = Shell.run(PROMETHEUS, PROMTOOL_TIMEOUT, command);
    assertThat(result.err())
        .as(
            "promtool must be installed (Debian: apt-get install prometheus; .ci/run does) or named"
                + " by -Dpromtool=PATH")
        .doesNotStartWith("cannot run:");
    return result;
  }
}
