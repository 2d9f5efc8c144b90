package io.changecast.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.router.config.RouterConfig;
import io.changecast.router.internal.runtime.StreamsProperties;
import io.changecast.router.metrics.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** A {@link TopologyTestDriver} over the router's topology for a config, with helpers. */
final class RouterDriver implements AutoCloseable {

  static final long NOW = 1_700_000_999_000L;
  static final ObjectMapper JSON = new ObjectMapper();

  final RouterConfig config;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final TopologyTestDriver driver;
  final TestOutputTopic<String, String> events;
  final TestOutputTopic<String, String> dlq;

  RouterDriver(Path stateDir, Map<String, String> settings) {
    Map<String, String> values = new HashMap<>();
    values.put("bootstrap.servers", "unused:9092");
    values.put("application.id", "router-test-" + UUID.randomUUID());
    values.put("state.dir", stateDir.toString());
    values.putAll(settings);
    config = RouterConfig.fromMap(values);
    RouterMetrics metrics = new RouterMetrics(registry, config.tenantLagMaxTenants());
    driver =
        new TopologyTestDriver(
            RouterTopology.build(
                config, metrics, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC)),
            StreamsProperties.from(config, metrics));
    events = output(config.eventsTopic());
    dlq = output(config.dlqTopic());
  }

  TestInputTopic<String, String> input(String topic) {
    return driver.createInputTopic(topic, new StringSerializer(), new StringSerializer());
  }

  TestOutputTopic<String, String> output(String topic) {
    return driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer());
  }

  /** The envelopes routed so far, read from the events topic. */
  List<JsonNode> envelopes() {
    return events.readValuesToList().stream().map(RouterDriver::json).toList();
  }

  static JsonNode json(String value) {
    try {
      return JSON.readTree(value);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String header(Headers headers, String key) {
    Header header = headers.lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    driver.close();
  }
}
