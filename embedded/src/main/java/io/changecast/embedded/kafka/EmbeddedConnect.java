package io.changecast.embedded.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.embedded.kafka.internal.ConnectWorkerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.ConnectRestServer;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect worker in distributed mode inside this JVM.
 *
 * <p>Connector configs, source offsets and statuses live in Kafka topics named after the group id
 * ({@code <groupId>-configs}, {@code -offsets}, {@code -status}), so connectors and their offsets
 * survive a restart of the worker. Plugins are found with {@code plugin.discovery=service_load}: a
 * connector on the classpath needs a {@code META-INF/services} entry. Connectors are managed
 * through the worker's REST API, exactly as on a standalone Connect cluster.
 */
public final class EmbeddedConnect implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedConnect.class);
  private static final String JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration RETRY_CONFLICT_FOR = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 100;

  private final ConnectRestServer rest;
  private final DistributedHerder herder;
  private final URI restUrl;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private boolean closed;

  private EmbeddedConnect(ConnectRestServer rest, DistributedHerder herder, URI restUrl) {
    this.rest = rest;
    this.herder = herder;
    this.restUrl = restUrl;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Worker properties used for {@code options}: the embedded defaults, then {@link
   * ConnectOptions#workerOverrides()}.
   */
  public static Map<String, String> workerProperties(ConnectOptions options) {
    String group = options.groupId();
    Map<String, String> p = new HashMap<>();
    p.put("bootstrap.servers", options.bootstrapServers());
    p.put("group.id", group);
    p.put("config.storage.topic", group + "-configs");
    p.put("offset.storage.topic", group + "-offsets");
    p.put("status.storage.topic", group + "-status");
    p.put("config.storage.replication.factor", "1");
    p.put("offset.storage.replication.factor", "1");
    p.put("offset.storage.partitions", "1");
    p.put("status.storage.replication.factor", "1");
    p.put("status.storage.partitions", "1");
    p.put("key.converter", JSON_CONVERTER);
    p.put("value.converter", JSON_CONVERTER);
    p.put("key.converter.schemas.enable", "false");
    p.put("value.converter.schemas.enable", "false");
    p.put("offset.flush.interval.ms", "1000");
    p.put("plugin.discovery", "service_load");
    p.put("topic.creation.enable", "true");
    p.put("listeners", "http://" + options.host() + ":" + options.restPort());
    p.put("rest.advertised.host.name", options.host());
    // A restarted embedded worker rejoins under a new id: reassign its work at once instead of
    // holding it for the departed worker (default 5 minutes).
    p.put("scheduled.rebalance.max.delay.ms", "0");
    p.putAll(options.workerOverrides());
    return p;
  }

  /**
   * Starts the worker and its REST API; returns once the worker has joined its group and read the
   * config topic, so connectors can be created.
   */
  public static EmbeddedConnect start(ConnectOptions options) {
    long startedAt = System.nanoTime();
    Map<String, String> workerProps = workerProperties(options);
    ConnectWorkerFactory factory = new ConnectWorkerFactory();
    Plugins plugins = new Plugins(workerProps);
    ClassLoader previous = plugins.compareAndSwapWithDelegatingLoader();
    ConnectRestServer rest = null;
    DistributedHerder herder = null;
    try {
      DistributedConfig config = factory.config(workerProps);
      RestClient restClient = new RestClient(config);
      rest = new ConnectRestServer(config.rebalanceTimeout(), restClient, config.originals());
      rest.initializeServer();
      URI advertised = rest.advertisedUrl();
      String workerId = advertised.getHost() + ":" + advertised.getPort();
      // newPlugins, not newPlugin: the latter's overloads need maven-artifact to compile against.
      ConnectorClientConfigOverridePolicy policy =
          plugins
              .newPlugins(
                  List.of(config.getString(WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG)),
                  config,
                  ConnectorClientConfigOverridePolicy.class)
              .get(0);
      herder = factory.herder(config, workerId, plugins, policy, rest, restClient);
      herder.start();
      rest.initializeResources(herder);

      FutureCallback<Void> ready = new FutureCallback<>();
      herder.healthCheck(ready);
      ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

      URI restUrl = stripTrailingSlash(advertised);
      log.info(
          "Embedded Kafka Connect worker ready on {} (group {}) in {} ms",
          restUrl,
          options.groupId(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
      return new EmbeddedConnect(rest, herder, restUrl);
    } catch (Exception e) {
      stopQuietly(rest, herder);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("Cannot start the embedded Kafka Connect worker: " + e, e);
    } finally {
      Plugins.compareAndSwapLoaders(previous);
    }
  }

  /** Base URL of the worker's REST API, e.g. {@code http://127.0.0.1:41234}. */
  public URI restUrl() {
    return restUrl;
  }

  /**
   * Creates or updates a connector ({@code PUT /connectors/{name}/config}). Idempotent. Retries
   * while the worker answers 409 (rebalance in progress).
   *
   * @throws ConnectRestException with the REST error body when the worker rejects the config
   */
  public void putConnector(String name, Map<String, String> config) {
    String body;
    try {
      body = json.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Connector config is not serializable", e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(connectorUri(name, "/config"))
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build();
    long deadline = System.nanoTime() + RETRY_CONFLICT_FOR.toNanos();
    while (true) {
      HttpResponse<String> response = send(request);
      int status = response.statusCode();
      if (status == 200 || status == 201) {
        return;
      }
      if (status != 409 || System.nanoTime() > deadline) {
        throw new ConnectRestException(
            "PUT /connectors/" + name + "/config", status, response.body());
      }
      pause();
    }
  }

  /**
   * Waits until the connector and at least one of its tasks are {@code RUNNING}.
   *
   * @throws IllegalStateException when the connector or a task fails (with Connect's trace) or the
   *     timeout passes (with the last status seen)
   */
  public void awaitConnectorRunning(String name, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(connectorUri(name, "/status"))
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json")
            .GET()
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no status yet";
    while (true) {
      HttpResponse<String> response = send(request);
      if (response.statusCode() == 200) {
        last = response.body();
        JsonNode status = parse(last);
        String connectorState = status.path("connector").path("state").asText();
        if ("FAILED".equals(connectorState)) {
          throw new IllegalStateException(
              "Connector " + name + " failed: " + status.path("connector").path("trace").asText());
        }
        boolean taskRunning = false;
        for (JsonNode task : status.path("tasks")) {
          String taskState = task.path("state").asText();
          if ("FAILED".equals(taskState)) {
            throw new IllegalStateException(
                "Task "
                    + task.path("id").asText()
                    + " of connector "
                    + name
                    + " failed: "
                    + task.path("trace").asText());
          }
          taskRunning |= "RUNNING".equals(taskState);
        }
        if ("RUNNING".equals(connectorState) && taskRunning) {
          return;
        }
      } else if (response.statusCode() != 404) {
        last = "HTTP " + response.statusCode() + ": " + response.body();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Connector " + name + " not running after " + timeout + "; last status: " + last);
      }
      pause();
    }
  }

  /** Stops the REST API and the worker (tasks commit their offsets on the way out). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopQuietly(rest, herder);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(
          request.method() + " " + request.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted calling " + request.uri(), e);
    }
  }

  private JsonNode parse(String body) {
    try {
      return json.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Connect answered non-JSON: " + body, e);
    }
  }

  private URI connectorUri(String name, String suffix) {
    String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    return URI.create(restUrl + "/connectors/" + encoded + suffix);
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka Connect", e);
    }
  }

  private static URI stripTrailingSlash(URI uri) {
    String s = uri.toString();
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  private static void stopQuietly(ConnectRestServer rest, DistributedHerder herder) {
    if (rest != null) {
      try {
        rest.stop();
      } catch (RuntimeException e) {
        log.warn("Error stopping the Connect REST server", e);
      }
    }
    if (herder != null) {
      try {
        herder.stop();
      } catch (RuntimeException e) {
        log.warn("Error stopping the Connect worker", e);
      }
    }
  }
}
