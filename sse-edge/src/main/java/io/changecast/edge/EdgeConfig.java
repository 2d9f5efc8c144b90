package io.changecast.edge;

import io.changecast.edge.auth.AuthMode;
import io.changecast.edge.auth.JwtSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Configuration of the SSE edge, validated once.
 *
 * <p>Keys (see the {@code *_KEY} constants): {@code bootstrap.servers} (required), {@code
 * http.host} (default {@code 127.0.0.1}), {@code http.port} (default 8080, 0 picks a free port),
 * {@code application.id} (default {@code changecast-edge-<random>}: every instance reads the whole
 * topic into its own global store), {@code state.dir}, {@code events.topic} (default {@code
 * changecast.events}), {@code retention.events-per-tenant} (default 10000), {@code
 * heartbeat.interval.ms} (default 15000), {@code retry.ms} (default 2000), {@code auth.mode}
 * (default {@code none}; {@code jwt} with the {@code auth.jwt.*} keys of {@link JwtSettings}),
 * {@code sse.queue-capacity} (default 1000 live events queued per subscriber), {@code
 * sse.write-timeout.ms} (default 10000), {@code sse.max-streams-per-tenant} (default 10000, 0 = no
 * limit), {@code sse.max-streams-per-token} (default 100, 0 = no limit; both caps count SSE and
 * WebSocket streams), {@code http.cors.allowed-origins} (comma list, default none), {@code
 * http.max-request-header-bytes} (default 18432), {@code retention.max-age} (an ISO-8601 duration
 * such as {@code PT24H}, default none), {@code ingest.topic} (default {@code changecast.ingest},
 * where the write API produces), {@code write.max-body-bytes} (default 65536), {@code
 * write.timeout.ms} (default 10000: how long a write waits for the broker's acknowledgement),
 * {@code http.idle-timeout.ms} (default 10000: a connection without a complete request or stream is
 * closed after this long), {@code sse.linger.ms} (default 40, 0 = off: while the edge writes more
 * than 10,000 times a second, a stream written less than this long ago waits this long at most to
 * write again, so that one write carries several events), {@code documents.enabled} (default true:
 * the document state and the snapshot API; the store is then persistent, and kept on disk across
 * restarts when {@code application.id} is set), {@code snapshot.default-limit} (default 1000) and
 * {@code snapshot.max-limit} (default 10000: documents per snapshot page), and {@code streams.*},
 * passed to Kafka Streams without the prefix.
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

  public static final int DEFAULT_SNAPSHOT_DEFAULT_LIMIT = 1000;
  public static final int DEFAULT_SNAPSHOT_MAX_LIMIT = 10_000;

  /** Prefix of the keys passed through to Kafka Streams (prefix removed). */
  public static final String STREAMS_PREFIX = "streams.";

  /** Prefix of environment variables read by {@link #load}. */
  public static final String ENV_PREFIX = "CHANGECAST_EDGE_";

  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String DEFAULT_EVENTS_TOPIC = "changecast.events";
  public static final int DEFAULT_RETENTION_EVENTS_PER_TENANT = 10_000;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RETRY = Duration.ofSeconds(2);
  public static final int DEFAULT_SSE_QUEUE_CAPACITY = 1000;
  public static final Duration DEFAULT_SSE_WRITE_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_SSE_MAX_STREAMS_PER_TENANT = 10_000;
  public static final int DEFAULT_SSE_MAX_STREAMS_PER_TOKEN = 100;
  public static final String DEFAULT_INGEST_TOPIC = "changecast.ingest";
  public static final int DEFAULT_WRITE_MAX_BODY_BYTES = 64 * 1024;
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);

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

  /** Every key this config understands, besides {@code streams.*}. */
  public static final List<String> KEYS =
      List.of(
          BOOTSTRAP_SERVERS_KEY,
          HTTP_HOST_KEY,
          HTTP_PORT_KEY,
          APPLICATION_ID_KEY,
          STATE_DIR_KEY,
          EVENTS_TOPIC_KEY,
          RETENTION_EVENTS_PER_TENANT_KEY,
          HEARTBEAT_INTERVAL_MS_KEY,
          RETRY_MS_KEY,
          AUTH_MODE_KEY,
          SSE_QUEUE_CAPACITY_KEY,
          SSE_WRITE_TIMEOUT_MS_KEY,
          SSE_MAX_STREAMS_PER_TENANT_KEY,
          SSE_MAX_STREAMS_PER_TOKEN_KEY,
          CORS_ALLOWED_ORIGINS_KEY,
          MAX_REQUEST_HEADER_BYTES_KEY,
          RETENTION_MAX_AGE_KEY,
          INGEST_TOPIC_KEY,
          WRITE_MAX_BODY_BYTES_KEY,
          WRITE_TIMEOUT_MS_KEY,
          HTTP_IDLE_TIMEOUT_MS_KEY,
          HTTP_OUTPUT_BUFFER_BYTES_KEY,
          SSE_LINGER_MS_KEY,
          DOCUMENTS_ENABLED_KEY,
          SNAPSHOT_DEFAULT_LIMIT_KEY,
          SNAPSHOT_MAX_LIMIT_KEY);

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
    if (snapshotDefaultLimit > snapshotMaxLimit) {
      throw new IllegalArgumentException(
          SNAPSHOT_DEFAULT_LIMIT_KEY + " must not exceed " + SNAPSHOT_MAX_LIMIT_KEY);
    }
  }

  /**
   * Builds and validates a config from keys and values (a blank value counts as absent). Unknown
   * keys, missing {@code bootstrap.servers} and malformed values are an {@link
   * IllegalArgumentException} naming the key.
   */
  public static EdgeConfig fromMap(Map<String, String> values) {
    List<String> unknown = new ArrayList<>();
    Map<String, String> streams = new TreeMap<>();
    for (Map.Entry<String, String> entry : values.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith(STREAMS_PREFIX) && key.length() > STREAMS_PREFIX.length()) {
        streams.put(key.substring(STREAMS_PREFIX.length()), entry.getValue());
      } else if (!KEYS.contains(key) && !JwtSettings.KEYS.contains(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new IllegalArgumentException(
          "Unknown edge config key(s) "
              + unknown
              + "; known keys: "
              + String.join(", ", KEYS)
              + ", "
              + String.join(", ", JwtSettings.KEYS)
              + ", and streams.* (passed to Kafka Streams)");
    }
    String bootstrap = text(values, BOOTSTRAP_SERVERS_KEY, null);
    if (bootstrap == null) {
      throw new IllegalArgumentException(
          BOOTSTRAP_SERVERS_KEY + " is required (the Kafka cluster holding the events topic)");
    }
    AuthMode authMode = AuthMode.parse(text(values, AUTH_MODE_KEY, AuthMode.NONE.configValue()));
    return new EdgeConfig(
        bootstrap,
        text(values, HTTP_HOST_KEY, DEFAULT_HTTP_HOST),
        integer(values, HTTP_PORT_KEY, DEFAULT_HTTP_PORT, 0, 65_535),
        text(values, APPLICATION_ID_KEY, defaultApplicationId()),
        Optional.ofNullable(text(values, STATE_DIR_KEY, null)).map(Path::of),
        text(values, EVENTS_TOPIC_KEY, DEFAULT_EVENTS_TOPIC),
        integer(
            values,
            RETENTION_EVENTS_PER_TENANT_KEY,
            DEFAULT_RETENTION_EVENTS_PER_TENANT,
            1,
            Integer.MAX_VALUE),
        Duration.ofMillis(
            integer(
                values,
                HEARTBEAT_INTERVAL_MS_KEY,
                (int) DEFAULT_HEARTBEAT_INTERVAL.toMillis(),
                1,
                Integer.MAX_VALUE)),
        Duration.ofMillis(
            integer(values, RETRY_MS_KEY, (int) DEFAULT_RETRY.toMillis(), 0, Integer.MAX_VALUE)),
        authMode,
        JwtSettings.fromMap(authMode, values),
        streams,
        integer(values, SSE_QUEUE_CAPACITY_KEY, DEFAULT_SSE_QUEUE_CAPACITY, 1, Integer.MAX_VALUE),
        Duration.ofMillis(
            integer(
                values,
                SSE_WRITE_TIMEOUT_MS_KEY,
                (int) DEFAULT_SSE_WRITE_TIMEOUT.toMillis(),
                1,
                Integer.MAX_VALUE)),
        integer(
            values,
            SSE_MAX_STREAMS_PER_TENANT_KEY,
            DEFAULT_SSE_MAX_STREAMS_PER_TENANT,
            0,
            Integer.MAX_VALUE),
        origins(text(values, CORS_ALLOWED_ORIGINS_KEY, "")),
        integer(
            values,
            MAX_REQUEST_HEADER_BYTES_KEY,
            DEFAULT_MAX_REQUEST_HEADER_BYTES,
            1024,
            1024 * 1024),
        maxAge(text(values, RETENTION_MAX_AGE_KEY, null)),
        text(values, INGEST_TOPIC_KEY, DEFAULT_INGEST_TOPIC),
        integer(values, WRITE_MAX_BODY_BYTES_KEY, DEFAULT_WRITE_MAX_BODY_BYTES, 2, 1024 * 1024),
        Duration.ofMillis(
            integer(
                values,
                WRITE_TIMEOUT_MS_KEY,
                (int) DEFAULT_WRITE_TIMEOUT.toMillis(),
                1,
                Integer.MAX_VALUE)),
        integer(
            values,
            SSE_MAX_STREAMS_PER_TOKEN_KEY,
            DEFAULT_SSE_MAX_STREAMS_PER_TOKEN,
            0,
            Integer.MAX_VALUE),
        Duration.ofMillis(
            integer(
                values,
                HTTP_IDLE_TIMEOUT_MS_KEY,
                (int) DEFAULT_HTTP_IDLE_TIMEOUT.toMillis(),
                100,
                Integer.MAX_VALUE)),
        integer(
            values,
            HTTP_OUTPUT_BUFFER_BYTES_KEY,
            DEFAULT_HTTP_OUTPUT_BUFFER_BYTES,
            1024,
            1024 * 1024),
        Duration.ofMillis(
            integer(values, SSE_LINGER_MS_KEY, (int) DEFAULT_SSE_LINGER.toMillis(), 0, 10_000)),
        bool(values, DOCUMENTS_ENABLED_KEY, true),
        integer(values, SNAPSHOT_DEFAULT_LIMIT_KEY, DEFAULT_SNAPSHOT_DEFAULT_LIMIT, 1, 1_000_000),
        integer(values, SNAPSHOT_MAX_LIMIT_KEY, DEFAULT_SNAPSHOT_MAX_LIMIT, 1, 1_000_000),
        text(values, APPLICATION_ID_KEY, null) != null);
  }

  private static boolean bool(Map<String, String> values, String key, boolean fallback) {
    String text = text(values, key, null);
    if (text == null) {
      return fallback;
    }
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new IllegalArgumentException(key + " must be true or false, got '" + text + "'");
    };
  }

  /**
   * Loads a config from an optional properties file, then environment variables, which win. This is
   * how the edge runs as a service, so {@code auth.mode} must be set: running without
   * authentication takes an explicit {@code none}. An environment variable is {@code
   * CHANGECAST_EDGE_} followed by the key in upper case with dots and dashes as underscores ({@code
   * CHANGECAST_EDGE_HTTP_PORT}, {@code CHANGECAST_EDGE_RETENTION_EVENTS_PER_TENANT}); {@code
   * CHANGECAST_EDGE_STREAMS_<NAME>} becomes {@code streams.<name>} in lower case with underscores
   * as dots. Other {@code CHANGECAST_EDGE_*} variables are rejected like unknown keys.
   */
  public static EdgeConfig load(Optional<Path> propertiesFile, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    propertiesFile.ifPresent(file -> values.putAll(readProperties(file)));
    values.putAll(fromEnvironment(env));
    String authMode = values.get(AUTH_MODE_KEY);
    if (authMode == null || authMode.isBlank()) {
      throw new IllegalArgumentException(
          AUTH_MODE_KEY
              + " is required ("
              + envName(AUTH_MODE_KEY)
              + "): jwt, with the auth.jwt.* keys, or none to serve every tenant's events without"
              + " authentication (development only)");
    }
    return fromMap(values);
  }

  /** The environment variable that sets {@code key}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> byEnvName = new LinkedHashMap<>();
    KEYS.forEach(key -> byEnvName.put(envName(key), key));
    JwtSettings.KEYS.forEach(key -> byEnvName.put(envName(key), key));
    String streamsEnvPrefix = envName(STREAMS_PREFIX);
    Map<String, String> values = new TreeMap<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
      String name = entry.getKey();
      if (!name.startsWith(ENV_PREFIX)) {
        continue;
      }
      if (byEnvName.containsKey(name)) {
        values.put(byEnvName.get(name), entry.getValue());
      } else if (name.startsWith(streamsEnvPrefix) && name.length() > streamsEnvPrefix.length()) {
        String streamsKey =
            name.substring(streamsEnvPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
        values.put(STREAMS_PREFIX + streamsKey, entry.getValue());
      } else {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "Unknown edge environment variable(s) "
              + unknown
              + "; known: "
              + String.join(", ", byEnvName.keySet())
              + ", and "
              + streamsEnvPrefix
              + "<NAME> (passed to Kafka Streams)");
    }
    return values;
  }

  private static Map<String, String> readProperties(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read edge config file " + file, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    properties
        .stringPropertyNames()
        .forEach(name -> values.put(name, properties.getProperty(name)));
    return values;
  }

  private static String text(Map<String, String> values, String key, String defaultValue) {
    String value = values.get(key);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    return value.trim();
  }

  private static int integer(
      Map<String, String> values, String key, int defaultValue, int min, int max) {
    String value = text(values, key, null);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        key + ": expected an integer from " + min + " to " + max + ", got '" + value + "'");
  }

  private static Optional<Duration> maxAge(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      Duration age = Duration.parse(text);
      if (!age.isNegative() && !age.isZero()) {
        return Optional.of(age);
      }
    } catch (java.time.format.DateTimeParseException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        RETENTION_MAX_AGE_KEY
            + ": expected a positive ISO-8601 duration such as PT24H, got '"
            + text
            + "'");
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
}
