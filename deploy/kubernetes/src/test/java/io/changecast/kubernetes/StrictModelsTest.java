package io.changecast.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** {@link StrictModels} refuses what the API server would refuse or silently drop. */
class StrictModelsTest {

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: d
      spec:
        replicas: 2
        selector:
          matchLabels: {app: d}
        template:
          metadata:
            labels: {app: d}
          spec:
            containers:
              - name: c
                image: i
                readinessProbe:
                  httpGet: {path: /health/ready, port: http}
                resources:
                  limits: {memory: 1Gi}
      """;

  @Test
  void aValidDocumentParsesIntoItsModel() throws Exception {
    Object model = StrictModels.parseAll(DEPLOYMENT).get(0).model();

    assertThat(model).isInstanceOf(Deployment.class);
    assertThat(((Deployment) model).getSpec().getReplicas()).isEqualTo(2);
  }

  @Test
  void aFieldTheModelDoesNotKnowFails() {
    String typo = DEPLOYMENT.replace("readinessProbe:", "readynessProbe:");

    assertThatThrownBy(() -> StrictModels.parseAll(typo))
        .hasMessageContaining("unknown [readynessProbe]");
  }

  @Test
  void aValueOfTheWrongTypeFails() {
    String quoted = DEPLOYMENT.replace("replicas: 2", "replicas: \"2\"");

    assertThatThrownBy(() -> StrictModels.parseAll(quoted)).hasMessageContaining("replicas");
  }

  @Test
  void aKindWithoutAPublishedModelFails() {
    String unknown = DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet");

    assertThatThrownBy(() -> StrictModels.parseAll(unknown))
        .hasMessageContaining("a published model for apps/v1/Deploymnet");
  }
}
