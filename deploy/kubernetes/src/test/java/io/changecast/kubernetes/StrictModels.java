package io.changecast.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Parses Kubernetes manifests into the published models (fabric8's Kubernetes model, Strimzi's
 * {@code api}) with fabric8's own serialization, strictly: an unknown {@code apiVersion}/{@code
 * kind} fails; a field the model does not know fails (the models keep unknown fields in {@code
 * additionalProperties} instead of rejecting them, so every object of the parsed tree is checked
 * for an empty one); a required field that is missing fails ({@code @JsonProperty(required =
 * true)}, Strimzi's {@code RequiredInVersions} for the document's version); and the model written
 * back must equal the document, so a value of the wrong type that Jackson coerced ({@code "2"} for
 * an integer) fails too.
 *
 * <p>The model classes are named, not imported: Strimzi's are Java 21 classes, loaded only by the
 * test that runs on a Java 21 JVM.
 */
final class StrictModels {

  /** apiVersion/kind → model class. */
  static final Map<String, String> MODELS =
      Map.of(
          "v1/Service", "io.fabric8.kubernetes.api.model.Service",
          "v1/ConfigMap", "io.fabric8.kubernetes.api.model.ConfigMap",
          "apps/v1/Deployment", "io.fabric8.kubernetes.api.model.apps.Deployment",
          "policy/v1/PodDisruptionBudget",
              "io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget",
          "networking.k8s.io/v1/Ingress", "io.fabric8.kubernetes.api.model.networking.v1.Ingress",
          "monitoring.coreos.com/v1/ServiceMonitor",
              "io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor",
          "kafka.strimzi.io/v1/KafkaConnect", "io.strimzi.api.kafka.model.connect.KafkaConnect",
          "kafka.strimzi.io/v1/KafkaConnector",
              "io.strimzi.api.kafka.model.connector.KafkaConnector");

  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * fabric8's own (de)serialization of its models: the custom serializers of {@code Quantity},
   * {@code IntOrString}... are registered there (fabric8 8 on Jackson 3; Strimzi's test runs on the
   * fabric8 7.8 that Strimzi's api is built on, with the same methods).
   */
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

  private StrictModels() {}

  /** One YAML document and the model object it parsed into. */
  record Parsed(JsonNode document, Object model) {
    String kind() {
      return document.path("kind").asText();
    }

    String name() {
      return document.path("metadata").path("name").asText();
    }
  }

  /** The non-empty documents of a (multi-document) YAML text. */
  static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
          out.add(doc);
        }
      }
    }
    return out;
  }

  static List<Parsed> parseFile(Path file) throws IOException {
    return parseAll(Files.readString(file));
  }

  static List<Parsed> parseAll(String yaml) throws IOException {
    List<Parsed> out = new ArrayList<>();
    for (JsonNode doc : documents(yaml)) {
      out.add(parse(doc));
    }
    return out;
  }

  /** Parses one document strictly into its model, failing the test on any deviation. */
  static Parsed parse(JsonNode doc) {
    String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    String className = MODELS.get(type);
    assertThat(className).as("a published model for " + type).isNotNull();
    String where = type + " " + doc.path("metadata").path("name").asText();
    Object model;
    JsonNode written;
    try {
      model = KUBERNETES.unmarshal(JSON.writeValueAsString(doc), Class.forName(className));
      written = JSON.readTree(KUBERNETES.asJson(model));
    } catch (RuntimeException | JsonProcessingException | ClassNotFoundException e) {
      throw new AssertionError(where + " does not parse into " + className + ": " + e, e);
    }
    List<String> problems = new ArrayList<>();
    check(model, "", doc.path("apiVersion").asText(), problems, 0);
    assertThat(problems).as(where + ": fields the model does not know or misses").isEmpty();
    assertThat(withoutNulls(written)).as(where + " written back").isEqualTo(withoutNulls(doc));
    return new Parsed(doc, model);
  }

  private static void check(
      Object value, String path, String apiVersion, List<String> problems, int depth) {
    if (value == null || depth > 40) {
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> check(v, path + "." + k, apiVersion, problems, depth + 1));
      return;
    }
    if (value instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        check(item, path + "[" + i++ + "]", apiVersion, problems, depth + 1);
      }
      return;
    }
    String pkg = value.getClass().getPackageName();
    if (!pkg.startsWith("io.fabric8.") && !pkg.startsWith("io.strimzi.")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (!isProperty(getter)) {
        continue;
      }
      Object property = invoke(getter, value);
      String name = path + "." + propertyName(getter);
      if (getter.getName().equals("getAdditionalProperties")) {
        if (property instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(path + ": unknown " + extra.keySet());
        }
        continue;
      }
      if (property == null && required(value.getClass(), getter, apiVersion)) {
        problems.add(name + ": required");
      }
      check(property, name, apiVersion, problems, depth + 1);
    }
  }

  private static boolean isProperty(Method m) {
    return m.getParameterCount() == 0
        && !Modifier.isStatic(m.getModifiers())
        && (m.getName().startsWith("get") || m.getName().startsWith("is"))
        && !m.getName().equals("getClass")
        && !m.getReturnType().isPrimitive()
        && !m.getDeclaringClass().getPackageName().startsWith("java.");
  }

  private static Object invoke(Method m, Object target) {
    try {
      return m.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new AssertionError("cannot read " + m, e);
    }
  }

  private static String propertyName(Method m) {
    String n = m.getName().startsWith("is") ? m.getName().substring(2) : m.getName().substring(3);
    return n.isEmpty() ? n : Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  /** Required by Jackson's annotation, or by Strimzi's {@code RequiredInVersions} here. */
  private static boolean required(Class<?> type, Method getter, String apiVersion) {
    List<Annotation> annotations = new ArrayList<>(List.of(getter.getAnnotations()));
    Field field = field(type, propertyName(getter));
    if (field != null) {
      annotations.addAll(List.of(field.getAnnotations()));
    }
    for (Annotation a : annotations) {
      if (a instanceof JsonProperty p && p.required()) {
        return true;
      }
      if (a.annotationType().getSimpleName().equals("RequiredInVersions")) {
        String versions = (String) annotationValue(a);
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        return versions.equals(version)
            || (versions.endsWith("+") && versions.equals(version + "+"));
      }
    }
    return false;
  }

  private static Field field(Class<?> type, String name) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      try {
        return c.getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        // the next superclass
      }
    }
    return null;
  }

  private static Object annotationValue(Annotation a) {
    try {
      return a.annotationType().getMethod("value").invoke(a);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot read " + a, e);
    }
  }

  /** The tree without null-valued fields (a model writes absent fields as absent, not null). */
  static JsonNode withoutNulls(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JSON.createObjectNode();
      node.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isNull()) {
                  out.set(e.getKey(), withoutNulls(e.getValue()));
                }
              });
      return out;
    }
    if (node.isArray()) {
      var out = JSON.createArrayNode();
      node.forEach(item -> out.add(withoutNulls(item)));
      return out;
    }
    return node;
  }
}
