package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.changecast.connector.config.ConnectorConfigFile;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.http.EdgeServer;
import io.changecast.edge.internal.http.EdgeServer.Route;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import io.changecast.router.config.RouterConfig;
import io.changecast.router.internal.serde.RouterTopics;
import io.changecast.router.internal.serde.TypeTopics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AsyncAPI document {@code docs/asyncapi/changecast-v1.yaml} against the AsyncAPI 3.0.0 JSON
 * Schema and against the code: its HTTP/WebSocket channels and endpoints are exactly the routes the
 * edge's Javalin app registers, and its Kafka channels are exactly the topics the router, the edge
 * and the shipped connector config use.
 */
class AsyncApiDocumentTest {

  private static final Path DOC_DIR = Path.of("..", "docs", "asyncapi");
  private static final Path DOC = DOC_DIR.resolve("changecast-v1.yaml");
  private static final Path ENVELOPE_SCHEMA =
      Path.of("..", "docs", "schema", "envelope-v1.schema.json");
  private static final Path SNAPSHOT_SCHEMA =
      Path.of("..", "docs", "schema", "snapshot-v1.schema.json");
  private static final Path APP_SOURCE = Path.of("..", "connect-configs", "app-source.json");
  private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");

  private static final Comparator<Route> ROUTE_ORDER =
      Comparator.comparing(Route::path).thenComparing(Route::method);

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path stateDir;

  private static JsonNode doc;
  private static Schema asyncApiSchema;

  @BeforeAll
  static void readDocument() throws IOException {
    doc = YAML.readTree(DOC.toFile());
    try (InputStream in =
        AsyncApiDocumentTest.class.getResourceAsStream(
            "/asyncapi-specs/asyncapi-3.0.0.schema.json")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      asyncApiSchema =
          SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
              .getSchema(text, InputFormat.JSON);
    }
  }

  @Test
  void isAValidAsyncApi300Document() throws IOException {
    List<Error> errors = asyncApiSchema.validate(JSON.writeValueAsString(doc), InputFormat.JSON);

    assertThat(errors).as("AsyncAPI 3.0.0 schema violations in %s", DOC).isEmpty();
    assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
  }

  @Test
  void theSchemaCheckCatchesBrokenDocuments() throws IOException {
    ObjectNode broken = doc.deepCopy();
    ((ObjectNode) broken.path("operations").path("streamTenantEvents")).put("action", "publish");
    ((ObjectNode) broken.path("channels").path("routedEvents").path("bindings").path("kafka"))
        .put("partitions", 0);

    List<Error> errors = asyncApiSchema.validate(JSON.writeValueAsString(broken), InputFormat.JSON);

    assertThat(errors)
        .extracting(Error::getInstanceLocation)
        .map(Object::toString)
        .anySatisfy(location -> assertThat(location).contains("streamTenantEvents"))
        .anySatisfy(location -> assertThat(location).contains("routedEvents"));
  }

  @Test
  void httpChannelsAndEndpointsAreExactlyTheEdgesRoutes() {
    Set<Route> documented = documentedRoutes();
    Set<Route> registered = new TreeSet<>(ROUTE_ORDER);
    EdgeConfig config =
        EdgeConfig.fromMap(
            Map.of(
                "bootstrap.servers", "127.0.0.1:9",
                "http.host", "127.0.0.1",
                "http.port", "0",
                "auth.mode", "none"));
    try (EdgeServer server =
        EdgeServer.start(config, new InMemoryEventLog(10), Readiness::ready, new EdgeMetrics())) {
      registered.addAll(server.routes());
    }

    Set<Route> missingFromDoc = new TreeSet<>(ROUTE_ORDER);
    missingFromDoc.addAll(registered);
    missingFromDoc.removeAll(documented);
    Set<Route> missingFromCode = new TreeSet<>(ROUTE_ORDER);
    missingFromCode.addAll(documented);
    missingFromCode.removeAll(registered);

    assertThat(missingFromDoc)
        .as(
            "routes the edge registers that %s does not describe (add a channel and operation,"
                + " or an x-changecast-http-endpoints entry)",
            DOC)
        .isEmpty();
    assertThat(missingFromCode)
        .as("routes %s describes that the edge does not register", DOC)
        .isEmpty();
    assertThat(registered).as("the route table was read").isNotEmpty();
  }

  @Test
  void kafkaChannelsAreExactlyTheTopicsOfRouterEdgeAndConnector() {
    RouterConfig router =
        RouterConfig.fromMap(
            Map.of("bootstrap.servers", "127.0.0.1:9", "state.dir", stateDir.toString()));
    RouterTopics topics = RouterTopics.from(router);
    TypeTopics typeTopics = new TypeTopics(router.typeTopicsPrefix(), null);
    EdgeConfig edge = EdgeConfig.fromMap(Map.of("bootstrap.servers", "127.0.0.1:9"));
    Map<String, String> connector = ConnectorConfigFile.read(APP_SOURCE).config();

    Set<String> fromCode =
        new TreeSet<>(
            List.of(
                topics.events().name(),
                topics.dlq().name(),
                topics.ingest().name(),
                router.typeTopicsPrefix() + "{type}",
                connector.get("topic.prefix") + ".{database}.{collection}",
                connector.get("heartbeat.topic.name")));
    Map<String, JsonNode> kafkaChannels = channelsOnServer("kafka");

    assertThat(kafkaChannels.keySet())
        .as("Kafka channel addresses in %s vs the topics in the code and connect-configs/", DOC)
        .containsExactlyInAnyOrderElementsOf(fromCode);

    // The edge reads what the router writes, and writes what the router reads.
    assertThat(edge.eventsTopic()).isEqualTo(topics.events().name());
    assertThat(edge.ingestTopic()).isEqualTo(topics.ingest().name());
    // The parameterised addresses name topics the code really produces and consumes.
    assertThat(typeTopics.topicFor("orders.created"))
        .isEqualTo(substitute(router.typeTopicsPrefix() + "{type}", "orders.created"));
    assertThat(topics.raw().pattern().matcher(substitute(rawAddress(kafkaChannels), "app")))
        .as("the router's raw.topic.pattern matches the documented raw topics")
        .matches();
    assertThat(
            kafkaChannels
                .get(topics.events().name())
                .path("bindings")
                .path("kafka")
                .path("partitions")
                .asInt())
        .as("documented partitions of the events topic")
        .isEqualTo(router.eventsPartitions());
  }

  @Test
  void channelParametersMatchTheirAddressesAndPayloadsReferenceTheSchemaFiles() throws IOException {
    doc.path("channels")
        .fields()
        .forEachRemaining(
            channel -> {
              Set<String> inAddress = new TreeSet<>();
              Matcher matcher = PARAMETER.matcher(channel.getValue().path("address").asText());
              while (matcher.find()) {
                inAddress.add(matcher.group(1));
              }
              Set<String> declared = new TreeSet<>();
              channel.getValue().path("parameters").fieldNames().forEachRemaining(declared::add);
              assertThat(declared)
                  .as("parameters of channel %s", channel.getKey())
                  .isEqualTo(inAddress);
            });

    List<String> externalRefs = new ArrayList<>();
    collectExternalRefs(doc, externalRefs);
    assertThat(externalRefs).isNotEmpty();
    for (String ref : externalRefs) {
      int hash = ref.indexOf('#');
      Path file = DOC_DIR.resolve(hash < 0 ? ref : ref.substring(0, hash)).normalize();
      assertThat(file)
          .as("$ref %s", ref)
          .isIn(ENVELOPE_SCHEMA.normalize(), SNAPSHOT_SCHEMA.normalize());
      if (hash >= 0) {
        assertThat(JSON.readTree(file.toFile()).at(ref.substring(hash + 1)).isObject())
            .as("$ref %s points into its file", ref)
            .isTrue();
      }
    }
    for (Path schemaFile : List.of(ENVELOPE_SCHEMA, SNAPSHOT_SCHEMA)) {
      assertThat(Files.readString(schemaFile, StandardCharsets.UTF_8)).contains("\"$id\"");
    }
    for (String message : List.of("sseEvent", "routedEnvelope")) {
      assertThat(
              doc.path("components")
                  .path("messages")
                  .path(message)
                  .path("payload")
                  .path("$ref")
                  .asText())
          .as("payload of message %s", message)
          .isEqualTo("../schema/envelope-v1.schema.json");
    }
    Map<String, String> snapshotPayloads =
        Map.of(
            "sseSnapshot", "../schema/snapshot-v1.schema.json#/$defs/entry",
            "sseSnapshotEnd", "../schema/snapshot-v1.schema.json#/$defs/end");
    snapshotPayloads.forEach(
        (message, ref) ->
            assertThat(
                    doc.path("components")
                        .path("messages")
                        .path(message)
                        .path("payload")
                        .path("$ref")
                        .asText())
                .as("payload of message %s", message)
                .isEqualTo(ref));
  }

  /** (method, address) of every channel the edge serves, plus the plain HTTP endpoints listed. */
  private static Set<Route> documentedRoutes() {
    Set<Route> routes = new TreeSet<>(ROUTE_ORDER);
    doc.path("operations")
        .forEach(
            operation -> {
              String channelRef = operation.path("channel").path("$ref").asText();
              JsonNode channel = doc.at(channelRef.substring(1));
              String address = channel.path("address").asText();
              if (!address.startsWith("/")) {
                return; // a Kafka topic
              }
              String method =
                  channel.path("bindings").has("ws")
                      ? Route.WEBSOCKET
                      : operation.path("bindings").path("http").path("method").asText("GET");
              routes.add(new Route(method, address));
            });
    doc.path("x-changecast-http-endpoints")
        .forEach(
            endpoint -> {
              String[] parts = endpoint.path("route").asText().split(" ", 2);
              routes.add(new Route(parts[0], parts[1]));
            });
    return routes;
  }

  private static Map<String, JsonNode> channelsOnServer(String server) {
    Map<String, JsonNode> channels = new TreeMap<>();
    doc.path("channels")
        .forEach(
            channel -> {
              for (JsonNode ref : channel.path("servers")) {
                if (ref.path("$ref").asText().equals("#/servers/" + server)) {
                  channels.put(channel.path("address").asText(), channel);
                }
              }
            });
    return channels;
  }

  private static String rawAddress(Map<String, JsonNode> kafkaChannels) {
    return kafkaChannels.keySet().stream()
        .filter(address -> address.contains("{collection}"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no raw topic channel in " + DOC));
  }

  /** The address with every parameter replaced by {@code value}. */
  private static String substitute(String address, String value) {
    return PARAMETER.matcher(address).replaceAll(Matcher.quoteReplacement(value));
  }

  private static void collectExternalRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
        refs.add(ref.asText());
      }
    }
    node.forEach(child -> collectExternalRefs(child, refs));
  }
}
