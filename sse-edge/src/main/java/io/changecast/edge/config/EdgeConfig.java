package io.changecast.edge.config;

import io.changecast.config.Checks;
import io.changecast.config.ConfigKeys;
import io.changecast.config.ConfigLoader;
import io.changecast.config.ConfigLoader.OpenPrefix;
import io.changecast.config.InvalidConfigException;
import io.changecast.config.LoadedConfig;
import io.changecast.contract.Topics;
import io.changecast.edge.auth.AuthMode;
import io.changecast.edge.auth.JwtSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Configuration of the SSE edge, validated once by the shared {@link ConfigLoader}: {@link
 * #fromMap} (embedded; {@code auth.mode} defaults to {@code none}) or {@link #load} (a properties
 * or YAML file, then {@code CHANGECAST_EDGE_*} environment variables; {@code auth.mode} required).
 * Every key with its default, rule and meaning is in {@link #DEFINITION} (the {@code auth.jwt.*}
 * keys of {@link JwtSettings} included; sse-edge/README.md's tables are generated from it), and
 * {@code streams.*} is passed to Kafka Streams without the prefix.
 *
 * @param jwt present exactly when {@code authMode} is {@code jwt}
 * @param streamsProperties the {@code streams.*} entries with the prefix removed
 * @param applicationIdSet whether {@code application.id} was configured (not generated)
 */
public record EdgeConfig(
    String bootstrapServers,
    String httpHost,
    int httpPort,
    String applicationId,
    Optional<Path> stateDir,
    String eventsTopic,
    int retentionEventsPerTenant,
    Duration heartbeatInterval,
    Duration retry,
    AuthMode authMode,
    Optional<JwtSettings> jwt,
    Map<String, String> streamsProperties,
    int sseQueueCapacity,
    Duration sseWriteTimeout,
    int sseMaxStreamsPerTenant,
    List<String> corsAllowedOrigins,
    int maxRequestHeaderBytes,
    Optional<Duration> retentionMaxAge,
    String ingestTopic,
    int writeMaxBodyBytes,
    Duration writeTimeout,
    int sseMaxStreamsPerToken,
    Duration httpIdleTimeout,
    int httpOutputBufferBytes,
    Duration sseLinger,
    boolean documentsEnabled,
    int snapshotDefaultLimit,
    int snapshotMaxLimit,
    Duration shutdownTimeout,
    boolean applicationIdSet) {

  public static final String BOOTSTRAP_SERVERS_KEY = "bootstrap.servers";
  public static final String HTTP_HOST_KEY = "http.host";
  public static final String HTTP_PORT_KEY = "http.port";
  public static final String APPLICATION_ID_KEY = "application.id";
  public static final String STATE_DIR_KEY = "state.dir";
  public static final String EVENTS_TOPIC_KEY = "events.topic";
  public static final String RETENTION_EVENTS_PER_TENANT_KEY = "retention.events-per-tenant";
  public static final String HEARTBEAT_INTERVAL_MS_KEY = "heartbeat.interval.ms";
  public static final String RETRY_MS_KEY = "retry.ms";
  public static final String AUTH_MODE_KEY = "auth.mode";
  public static final String SSE_QUEUE_CAPACITY_KEY = "sse.queue-capacity";
  public static final String SSE_WRITE_TIMEOUT_MS_KEY = "sse.write-timeout.ms";
  public static final String SSE_MAX_STREAMS_PER_TENANT_KEY = "sse.max-streams-per-tenant";
  public static final String SSE_MAX_STREAMS_PER_TOKEN_KEY = "sse.max-streams-per-token";
  public static final String CORS_ALLOWED_ORIGINS_KEY = "http.cors.allowed-origins";
  public static final String MAX_REQUEST_HEADER_BYTES_KEY = "http.max-request-header-bytes";
  public static final String RETENTION_MAX_AGE_KEY = "retention.max-age";
  public static final String INGEST_TOPIC_KEY = "ingest.topic";
  public static final String WRITE_MAX_BODY_BYTES_KEY = "write.max-body-bytes";
  public static final String WRITE_TIMEOUT_MS_KEY = "write.timeout.ms";
  public static final String HTTP_IDLE_TIMEOUT_MS_KEY = "http.idle-timeout.ms";
  public static final String HTTP_OUTPUT_BUFFER_BYTES_KEY = "http.output-buffer-bytes";
  public static final String SSE_LINGER_MS_KEY = "sse.linger.ms";
  public static final String DOCUMENTS_ENABLED_KEY = "documents.enabled";
  public static final String SNAPSHOT_DEFAULT_LIMIT_KEY = "snapshot.default-limit";
  public static final String SNAPSHOT_MAX_LIMIT_KEY = "snapshot.max-limit";
  public static final String SHUTDOWN_TIMEOUT_MS_KEY = "shutdown.timeout.ms";

  public static final int DEFAULT_SNAPSHOT_DEFAULT_LIMIT = 1000;
  public static final int DEFAULT_SNAPSHOT_MAX_LIMIT = 10_000;

  /** Prefix of the keys passed through to Kafka Streams (prefix removed). */
  public static final String STREAMS_PREFIX = "streams.";

  /** Prefix of environment variables read by {@link #load}. */
  public static final String ENV_PREFIX = "CHANGECAST_EDGE_";

  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String DEFAULT_EVENTS_TOPIC = Topics.EVENTS;
  public static final int DEFAULT_RETENTION_EVENTS_PER_TENANT = 10_000;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RETRY = Duration.ofSeconds(2);
  public static final int DEFAULT_SSE_QUEUE_CAPACITY = 1000;
  public static final Duration DEFAULT_SSE_WRITE_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_SSE_MAX_STREAMS_PER_TENANT = 10_000;
  public static final int DEFAULT_SSE_MAX_STREAMS_PER_TOKEN = 100;
  public static final String DEFAULT_INGEST_TOPIC = Topics.INGEST;
  public static final int DEFAULT_WRITE_MAX_BODY_BYTES = 64 * 1024;
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long a connection may sit without a complete request (or between keep-alive requests):
   * short, so idle unauthenticated connections cannot pile up. Open streams get a longer timeout
   * that their heartbeats keep alive.
   */
  public static final Duration DEFAULT_HTTP_IDLE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Response buffer of ordinary (non-stream) responses. SSE streams do not use it: each drain of a
   * stream is gathered once and written past the buffer (see {@code SseFrames}), so an open stream
   * holds no response buffer whatever this size, and a busy stream's batch is not cut into parts of
   * this size. 4 KB rather than Jetty's 32 KB keeps what a connection holds while it answers a
   * request small.
   */
  public static final int DEFAULT_HTTP_OUTPUT_BUFFER_BYTES = 4096;

  public static final Duration DEFAULT_SSE_LINGER = Duration.ofMillis(40);

  /** Room for a 16 KB token, so that it is refused with the same 401 as any other token. */
  public static final int DEFAULT_MAX_REQUEST_HEADER_BYTES = 32 * 1024;

  /** Every edge key (the {@code auth.jwt.*} keys included): type, default, rule, group, doc. */
  public static final ConfigDef DEFINITION = definition();

  /** Every key this config understands besides {@code streams.*} and {@code auth.jwt.*}. */
  public static final List<String> KEYS =
      DEFINITION.names().stream().filter(key -> !key.startsWith(JwtSettings.PREFIX)).toList();

  private static final ConfigLoader LOADER =
      new ConfigLoader(
          "edge",
          DEFINITION,
          List.of(new OpenPrefix(STREAMS_PREFIX, "<kafka streams property>", true)));

  public EdgeConfig {
    Objects.requireNonNull(bootstrapServers, BOOTSTRAP_SERVERS_KEY);
    Objects.requireNonNull(httpHost, HTTP_HOST_KEY);
    Objects.requireNonNull(applicationId, APPLICATION_ID_KEY);
    Objects.requireNonNull(stateDir, STATE_DIR_KEY);
    Objects.requireNonNull(eventsTopic, EVENTS_TOPIC_KEY);
    Objects.requireNonNull(heartbeatInterval, HEARTBEAT_INTERVAL_MS_KEY);
    Objects.requireNonNull(retry, RETRY_MS_KEY);
    Objects.requireNonNull(authMode, AUTH_MODE_KEY);
    Objects.requireNonNull(jwt, JwtSettings.PREFIX);
    if (jwt.isPresent() != (authMode == AuthMode.JWT)) {
      throw new IllegalArgumentException("JWT settings go with auth.mode=jwt, and only with it");
    }
    streamsProperties = Map.copyOf(streamsProperties);
    Objects.requireNonNull(sseWriteTimeout, SSE_WRITE_TIMEOUT_MS_KEY);
    corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
    Objects.requireNonNull(retentionMaxAge, RETENTION_MAX_AGE_KEY);
    Objects.requireNonNull(ingestTopic, INGEST_TOPIC_KEY);
    Objects.requireNonNull(writeTimeout, WRITE_TIMEOUT_MS_KEY);
    Objects.requireNonNull(httpIdleTimeout, HTTP_IDLE_TIMEOUT_MS_KEY);
    Objects.requireNonNull(sseLinger, SSE_LINGER_MS_KEY);
    Objects.requireNonNull(shutdownTimeout, SHUTDOWN_TIMEOUT_MS_KEY);
    if (snapshotDefaultLimit > snapshotMaxLimit) {
      throw InvalidConfigException.of(
          "edge",
          SNAPSHOT_DEFAULT_LIMIT_KEY,
          snapshotDefaultLimit,
          "expected at most " + SNAPSHOT_MAX_LIMIT_KEY + " (" + snapshotMaxLimit + ")");
    }
  }

  /**
   * Builds and validates a config from keys and values given in code ({@code auth.mode} defaults to
   * {@code none}).
   *
   * @throws IllegalArgumentException naming the key, for an unknown key, a missing {@code
   *     bootstrap.servers} or a malformed value
   */
  public static EdgeConfig fromMap(Map<String, String> values) {
    return LOADER.fromMap(values).build(EdgeConfig::from);
  }

  /**
   * Loads a config from an optional file (properties, or YAML when named {@code *.yaml} or {@code
   * *.yml}), then environment variables, which win. This is how the edge runs as a service, so
   * {@code auth.mode} must be set: running without authentication takes an explicit {@code none}.
   * An environment variable is {@code CHANGECAST_EDGE_} followed by the key in upper case with dots
   * and dashes as underscores ({@code CHANGECAST_EDGE_HTTP_PORT}); {@code
   * CHANGECAST_EDGE_STREAMS_<NAME>} becomes {@code streams.<name>} in lower case with underscores
   * as dots. Other {@code CHANGECAST_EDGE_*} variables are rejected like unknown keys.
   */
  public static EdgeConfig load(Optional<Path> file, Map<String, String> env) {
    LoadedConfig config = LOADER.load(file, env);
    if (!config.isSet(AUTH_MODE_KEY)) {
      throw InvalidConfigException.of(
          "edge",
          AUTH_MODE_KEY,
          null,
          "it is required when the edge runs as a service ("
              + envName(AUTH_MODE_KEY)
              + "): jwt, with the auth.jwt.* keys, or none to serve every tenant's events without"
              + " authentication (development only)");
    }
    return config.build(EdgeConfig::from);
  }

  /** The environment variable that sets {@code key}. */
  public static String envName(String key) {
    return LOADER.envName(key);
  }

  private static EdgeConfig from(LoadedConfig config) {
    AuthMode authMode = AuthMode.parse(config.getString(AUTH_MODE_KEY));
    String applicationId = config.text(APPLICATION_ID_KEY);
    String stateDir = config.getString(STATE_DIR_KEY);
    String maxAge = config.getString(RETENTION_MAX_AGE_KEY);
    return new EdgeConfig(
        config.getString(BOOTSTRAP_SERVERS_KEY),
        config.getString(HTTP_HOST_KEY),
        config.getInt(HTTP_PORT_KEY),
        applicationId == null ? defaultApplicationId() : applicationId,
        stateDir == null || stateDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(stateDir)),
        config.getString(EVENTS_TOPIC_KEY),
        config.getInt(RETENTION_EVENTS_PER_TENANT_KEY),
        millis(config, HEARTBEAT_INTERVAL_MS_KEY),
        millis(config, RETRY_MS_KEY),
        authMode,
        JwtSettings.from(authMode, config),
        config.withPrefix(STREAMS_PREFIX),
        config.getInt(SSE_QUEUE_CAPACITY_KEY),
        millis(config, SSE_WRITE_TIMEOUT_MS_KEY),
        config.getInt(SSE_MAX_STREAMS_PER_TENANT_KEY),
        origins(config.getString(CORS_ALLOWED_ORIGINS_KEY)),
        config.getInt(MAX_REQUEST_HEADER_BYTES_KEY),
        maxAge == null || maxAge.isEmpty() ? Optional.empty() : Optional.of(Duration.parse(maxAge)),
        config.getString(INGEST_TOPIC_KEY),
        config.getInt(WRITE_MAX_BODY_BYTES_KEY),
        millis(config, WRITE_TIMEOUT_MS_KEY),
        config.getInt(SSE_MAX_STREAMS_PER_TOKEN_KEY),
        millis(config, HTTP_IDLE_TIMEOUT_MS_KEY),
        config.getInt(HTTP_OUTPUT_BUFFER_BYTES_KEY),
        millis(config, SSE_LINGER_MS_KEY),
        config.getBoolean(DOCUMENTS_ENABLED_KEY),
        config.getInt(SNAPSHOT_DEFAULT_LIMIT_KEY),
        config.getInt(SNAPSHOT_MAX_LIMIT_KEY),
        millis(config, SHUTDOWN_TIMEOUT_MS_KEY),
        applicationId != null);
  }

  private static Duration millis(LoadedConfig config, String key) {
    return Duration.ofMillis(config.getInt(key));
  }

  private static List<String> origins(String text) {
    List<String> origins = new ArrayList<>();
    for (String origin : text.split(",")) {
      if (!origin.isBlank()) {
        origins.add(origin.strip());
      }
    }
    return origins;
  }

  private static String defaultApplicationId() {
    return "changecast-edge-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static ConfigDef definition() {
    ConfigKeys keys =
        new ConfigKeys()
            .group("Kafka")
            .required(
                BOOTSTRAP_SERVERS_KEY,
                Type.STRING,
                Checks.nonBlank(),
                "the Kafka cluster holding the events topic")
            .optional(
                APPLICATION_ID_KEY,
                Type.STRING,
                null,
                Checks.nonBlank(),
                "not set: `changecast-edge-<random>`, one per instance: each reads the whole"
                    + " topic. Set it (with `state.dir`) to keep the document state across"
                    + " restarts: with a generated id the state dir is cleaned on close")
            .optional(
                STATE_DIR_KEY,
                Type.STRING,
                null,
                null,
                "where the persistent store lives (`documents.enabled=true`); not set or empty:"
                    + " Kafka Streams' default; cleaned on close when the store is in memory or"
                    + " `application.id` is generated")
            .optional(
                EVENTS_TOPIC_KEY,
                Type.STRING,
                DEFAULT_EVENTS_TOPIC,
                Checks.topicName(false),
                "the router's events topic")
            .optional(
                SHUTDOWN_TIMEOUT_MS_KEY,
                Type.INT,
                (int) DEFAULT_SHUTDOWN_TIMEOUT.toMillis(),
                Checks.atLeast(1),
                "how long closing the edge waits for Kafka Streams to stop; a global store still"
                    + " waiting for an unreachable broker ignores the stop and is left behind")
            .group("HTTP")
            .optional(
                HTTP_HOST_KEY, Type.STRING, DEFAULT_HTTP_HOST, Checks.nonBlank(), "the address")
            .optional(
                HTTP_PORT_KEY,
                Type.INT,
                DEFAULT_HTTP_PORT,
                Checks.between(0, 65_535),
                "0 picks a free port")
            .optional(
                CORS_ALLOWED_ORIGINS_KEY,
                Type.STRING,
                "",
                null,
                "comma list of exact origins; empty = no CORS headers at all")
            .optional(
                MAX_REQUEST_HEADER_BYTES_KEY,
                Type.INT,
                DEFAULT_MAX_REQUEST_HEADER_BYTES,
                Checks.between(1024, 1024 * 1024),
                "request line + headers; a longer URL gets 414, longer headers 431")
            .optional(
                HTTP_IDLE_TIMEOUT_MS_KEY,
                Type.INT,
                (int) DEFAULT_HTTP_IDLE_TIMEOUT.toMillis(),
                Checks.atLeast(100),
                "a connection without a complete request (or idle between keep-alive requests)"
                    + " is closed after this long, so idle unauthenticated connections do not pile"
                    + " up; an open stream instead gets `max(30 s, 2 × heartbeat + 5 s)`, kept"
                    + " alive by its heartbeats")
            .optional(
                HTTP_OUTPUT_BUFFER_BYTES_KEY,
                Type.INT,
                DEFAULT_HTTP_OUTPUT_BUFFER_BYTES,
                Checks.between(1024, 1024 * 1024),
                "the response buffer of ordinary (non-stream) responses; SSE streams do not use"
                    + " it (each drain's events are written at once past it), so an open stream"
                    + " holds no response buffer and a busy stream's writes are not cut into parts"
                    + " of this size")
            .group("Streams (SSE and WebSocket)")
            .optional(
                HEARTBEAT_INTERVAL_MS_KEY,
                Type.INT,
                (int) DEFAULT_HEARTBEAT_INTERVAL.toMillis(),
                Checks.atLeast(1),
                "a comment line on an idle stream this often")
            .optional(
                RETRY_MS_KEY,
                Type.INT,
                (int) DEFAULT_RETRY.toMillis(),
                Checks.atLeast(0),
                "the `retry:` line sent on connect")
            .optional(
                SSE_QUEUE_CAPACITY_KEY,
                Type.INT,
                DEFAULT_SSE_QUEUE_CAPACITY,
                Checks.atLeast(1),
                "live events queued per subscriber; one more and it is cut (see Slow clients)")
            .optional(
                SSE_WRITE_TIMEOUT_MS_KEY,
                Type.INT,
                (int) DEFAULT_SSE_WRITE_TIMEOUT.toMillis(),
                Checks.atLeast(1),
                "a write pending this long (the client stopped reading) cuts the connection")
            .optional(
                SSE_LINGER_MS_KEY,
                Type.INT,
                (int) DEFAULT_SSE_LINGER.toMillis(),
                Checks.between(0, 10_000),
                "while the edge writes more than 10,000 times a second, a stream written less"
                    + " than this long ago waits for the next tick (every `sse.linger.ms`) to write"
                    + " again, so one write carries several events; a quiet edge, or a stream's"
                    + " first event after a pause, writes at once. `0` turns it off")
            .optional(
                SSE_MAX_STREAMS_PER_TENANT_KEY,
                Type.INT,
                DEFAULT_SSE_MAX_STREAMS_PER_TENANT,
                Checks.atLeast(0),
                "open streams per tenant (SSE and WebSocket together), more get 429"
                    + " `too_many_streams`; `0` = no limit")
            .optional(
                SSE_MAX_STREAMS_PER_TOKEN_KEY,
                Type.INT,
                DEFAULT_SSE_MAX_STREAMS_PER_TOKEN,
                Checks.atLeast(0),
                "open streams per token (SSE and WebSocket together; the token is identified by"
                    + " its `jti`, else a SHA-256 of it), more get 429 `too_many_streams`; `0` = no"
                    + " limit; not applied with `auth.mode=none`")
            .group("Retention")
            .optional(
                RETENTION_EVENTS_PER_TENANT_KEY,
                Type.INT,
                DEFAULT_RETENTION_EVENTS_PER_TENANT,
                Checks.atLeast(1),
                "newest N ids kept per tenant")
            .optional(
                RETENTION_MAX_AGE_KEY,
                Type.STRING,
                null,
                Checks.parses(
                    "a positive ISO-8601 duration such as PT24H, or empty for none",
                    EdgeConfig::checkMaxAge),
                "also drop events whose `routedAt` is older than the newest record's timestamp"
                    + " minus this (checked when the tenant's next event arrives, so a quiet"
                    + " tenant keeps its last events; record timestamps, not the wall clock, so a"
                    + " restore evicts the same)")
            .group("Write API")
            .optional(
                INGEST_TOPIC_KEY,
                Type.STRING,
                DEFAULT_INGEST_TOPIC,
                Checks.topicName(false),
                "where the write API produces (the router's `ingest.topic`)")
            .optional(
                WRITE_MAX_BODY_BYTES_KEY,
                Type.INT,
                DEFAULT_WRITE_MAX_BODY_BYTES,
                Checks.between(2, 1024 * 1024),
                "largest write-API body; more is a 413")
            .optional(
                WRITE_TIMEOUT_MS_KEY,
                Type.INT,
                (int) DEFAULT_WRITE_TIMEOUT.toMillis(),
                Checks.atLeast(1),
                "how long a write waits for the broker's acknowledgement (also the producer's"
                    + " `max.block.ms` / `delivery.timeout.ms`)")
            .group("Documents")
            .optional(
                DOCUMENTS_ENABLED_KEY,
                Type.BOOLEAN,
                true,
                null,
                "the document state (snapshot API, `?snapshot=true`, the filter rule of filtered"
                    + " streams): the latest version of every document per tenant, kept with the"
                    + " event log in one persistent (RocksDB) global store, one atomic write per"
                    + " event; its RocksDB options come from `DocumentStoreOptions` unless"
                    + " `streams.rocksdb.config.setter` names another class. `false`: the store is"
                    + " in memory (a restart re-reads the topic), `/snapshot` answers 501"
                    + " `snapshots_disabled` and filtered streams decide on the envelope alone")
            .optional(
                SNAPSHOT_DEFAULT_LIMIT_KEY,
                Type.INT,
                DEFAULT_SNAPSHOT_DEFAULT_LIMIT,
                Checks.between(1, 1_000_000),
                "documents per `/snapshot` page without `limit`; at most `snapshot.max-limit`")
            .optional(
                SNAPSHOT_MAX_LIMIT_KEY,
                Type.INT,
                DEFAULT_SNAPSHOT_MAX_LIMIT,
                Checks.between(1, 1_000_000),
                "the largest `limit`; more is 400 `invalid_limit`")
            .group("Auth")
            .optional(
                AUTH_MODE_KEY,
                Type.STRING,
                AuthMode.NONE.configValue(),
                Checks.oneOf("none", "jwt"),
                "`jwt` (the `auth.jwt.*` keys below), or `none` (development: a loud WARN at"
                    + " startup); the service (file + environment) does not start without it,"
                    + " embedded (`EdgeConfig.fromMap`) it defaults to `none`");
    return JwtSettings.define(keys).definition();
  }

  private static void checkMaxAge(String text) {
    if (text.isEmpty()) {
      return;
    }
    try {
      Duration age = Duration.parse(text);
      if (!age.isNegative() && !age.isZero()) {
        return;
      }
    } catch (java.time.format.DateTimeParseException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "expected a positive ISO-8601 duration such as PT24H, or empty for none");
  }
}
