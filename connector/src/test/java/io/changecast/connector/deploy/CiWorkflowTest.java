package io.changecast.connector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code .github/workflows/ci.yml}, the workflow for GitHub Actions (it cannot run here): it parses
 * as a workflow of the shape GitHub reads (triggers, one job with a runner, a job container and
 * steps that each either run a command or use an action at a pinned major version); it runs {@code
 * .ci/run} itself, as the project's CI does ({@code bash .ci/run}), on the machine that script is
 * written for, and no Maven command that {@code .ci/run} does not run, so the two cannot drift; and
 * it requires the Testcontainers IT that starts the real MongoDB replica set image to have run, not
 * skipped, with a registry in reach.
 */
class CiWorkflowTest {

  private static final Path ROOT = Path.of("..");
  private static final Path WORKFLOW = ROOT.resolve(".github/workflows/ci.yml");
  private static final Path CI_RUN = ROOT.resolve(".ci/run");
  private static final Pattern MAVEN = Pattern.compile("\\./mvnw[^\\n;&|]*");
  private static final Pattern REPORT =
      Pattern.compile("connector/target/failsafe-reports/TEST-([\\w.]+)\\.xml");

  private static JsonNode workflow;
  private static JsonNode job;
  private static List<JsonNode> steps;

  @BeforeAll
  static void parse() throws IOException {
    workflow = new YAMLMapper().readTree(WORKFLOW.toFile());
    assertThat(workflow.path("jobs").size()).isEqualTo(1);
    job = workflow.path("jobs").elements().next();
    steps = new ArrayList<>();
    job.path("steps").forEach(steps::add);
  }

  @Test
  void itIsAWorkflowOfTheShapeGithubReads() {
    assertThat(workflow.path("name").isTextual()).isTrue();
    assertThat(workflow.path("on").path("push").path("branches").get(0).asText()).isEqualTo("main");
    assertThat(workflow.path("on").has("pull_request")).isTrue();
    assertThat(job.path("runs-on").asText()).startsWith("ubuntu-");
    assertThat(job.path("timeout-minutes").isInt()).isTrue();
    assertThat(steps).isNotEmpty();
    for (JsonNode step : steps) {
      assertThat(step.has("run") ^ step.has("uses")).as("run or uses: " + step).isTrue();
      if (step.has("uses")) {
        assertThat(step.path("uses").asText()).matches("[\\w-]+/[\\w-]+@v\\d+");
      } else {
        assertThat(step.path("run").asText()).isNotBlank();
      }
    }
  }

  @Test
  void itRunsCiRunOnTheMachineItIsWrittenFor() throws IOException {
    String ciRun = Files.readString(CI_RUN);

    // as the project's CI invokes it
    assertThat(steps).filteredOn(s -> s.path("run").asText().equals("bash .ci/run")).hasSize(1);
    // .ci/run installs Debian 12's packages (apt-get) and starts its own Docker engine
    assertThat(ciRun).contains("apt-get install", "dockerd");
    assertThat(job.path("container").path("image").asText()).isEqualTo("debian:12");
    assertThat(job.path("container").path("options").asText()).contains("--privileged");
    // every Maven command of the workflow is one of .ci/run's
    List<String> ciRunMaven = maven(ciRun);
    assertThat(ciRunMaven).contains("./mvnw -B verify");
    for (JsonNode step : steps) {
      assertThat(maven(step.path("run").asText())).allMatch(ciRunMaven::contains);
    }
  }

  @Test
  void theJdkTheStrimziModelTestNeedsIsInstalled() throws IOException {
    JsonNode setupJava =
        steps.stream()
            .filter(s -> s.path("uses").asText().startsWith("actions/setup-java@"))
            .findFirst()
            .orElseThrow();

    assertThat(setupJava.path("with").path("java-version").asText().lines())
        .contains("21", "17")
        .last()
        .isEqualTo("17"); // the last one is the default: the project builds on 17
    assertThat(Files.readString(ROOT.resolve("deploy/kubernetes/pom.xml")))
        .contains("<name>env.JAVA_HOME_21_X64</name>");
  }

  @Test
  void theTestcontainersItWithTheRealMongoImageMustHaveRunNotSkipped() throws IOException {
    String check =
        steps.stream()
            .map(s -> s.path("run").asText())
            .filter(r -> r.contains("failsafe-reports"))
            .findFirst()
            .orElseThrow();
    Matcher report = REPORT.matcher(check);
    assertThat(report.find()).isTrue();
    Path source = Path.of("src/test/java", report.group(1).replace('.', '/') + ".java");

    assertThat(source).exists();
    assertThat(Files.readString(source)).contains("PipelineContainers.IMAGES");
    assertThat(Files.readString(source.resolveSibling("PipelineContainers.java")))
        .contains("DockerImageName.parse(\"mongo:");
    assertThat(check).contains("skipped=\"0\"", "tests=\"[1-9]", "failures=\"0\"", "errors=\"0\"");
  }

  private static List<String> maven(String script) {
    List<String> commands = new ArrayList<>();
    Matcher m = MAVEN.matcher(script);
    while (m.find()) {
      commands.add(m.group().strip());
    }
    return commands;
  }
}
