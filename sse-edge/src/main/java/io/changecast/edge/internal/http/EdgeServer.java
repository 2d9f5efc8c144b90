package io.changecast.edge.internal.http;

import io.changecast.edge.auth.Authenticator;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.HttpError;
import io.changecast.edge.internal.log.EventLog;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import io.changecast.edge.internal.stream.OpenStreams;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.websocket.WsHandlerType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The HTTP side of the edge: every route, error mapping and server setting is wired here, over an
 * {@link EventLog} and a readiness check, so tests can run it without Kafka.
 */
public final class EdgeServer implements AutoCloseable {
  private final Javalin app;
  private final OpenStreams streams;
  private final Authenticator auth;

  private EdgeServer(Javalin app, OpenStreams streams, Authenticator auth) {
    this.app = app;
    this.streams = streams;
    this.auth = auth;
  }

  /** Starts the server without a write API (every write gets 503); returns once it listens. */
  public static EdgeServer start(
      EdgeConfig config, EventLog log, Supplier<Readiness> readiness, EdgeMetrics metrics) {
    return start(config, log, readiness, metrics, IngestPublisher.unavailable());
  }

  /**
   * Starts the server; returns once it listens. The write API hands events to {@code publisher},
   * which the caller owns and closes (after this server).
   */
  public static EdgeServer start(
      EdgeConfig config,
      EventLog log,
      Supplier<Readiness> readiness,
      EdgeMetrics metrics,
      IngestPublisher publisher) {
    OpenStreams streams =
        new OpenStreams(
            log,
            metrics,
            new OpenStreams.StreamOptions(
                config.heartbeatInterval(),
                config.retry(),
                config.sseQueueCapacity(),
                config.sseWriteTimeout(),
                config.sseMaxStreamsPerTenant(),
                config.sseMaxStreamsPerToken(),
                config.sseLinger()));
    Duration streamIdleTimeout = idleTimeout(config.heartbeatInterval());
    EventsHandler events = new EventsHandler(streams, readiness, streamIdleTimeout);
    RecentHandler recent = new RecentHandler(log, readiness);
    SnapshotHandler snapshot =
        new SnapshotHandler(
            log.documents(),
            readiness,
            metrics,
            config.snapshotDefaultLimit(),
            config.snapshotMaxLimit());
    log.documents().ifPresent(documents -> metrics.documentsHeld(documents::held));
    Cors cors = new Cors(config.corsAllowedOrigins());
    HealthHandlers health = new HealthHandlers(readiness, metrics);
    metrics.bindReadiness(readiness);
    Authenticator auth = Authenticator.create(config.authMode(), config.jwt());
    WsHandler ws = new WsHandler(streams, readiness, auth, cors);
    PublishHandler publish =
        new PublishHandler(
            publisher,
            auth.enabled(),
            config.writeMaxBodyBytes(),
            config.writeTimeout(),
            metrics,
            Clock.systemUTC());
    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              cfg.http.asyncTimeout = 0; // SSE responses stay open until the stream closes
              cfg.requestLogger.http(AccessLog::log);
              cfg.http.compressionStrategy = CompressionStrategy.NONE; // proxies must not buffer
              cfg.jetty.addConnector(
                  (server, httpConfig) -> {
                    // Larger request lines get 414, larger headers 431 (Jetty's own answers).
                    httpConfig.setRequestHeaderSize(config.maxRequestHeaderBytes());
                    // An open stream holds its response buffer for its lifetime: see the key.
                    httpConfig.setOutputBufferSize(config.httpOutputBufferBytes());
                    httpConfig.setOutputAggregationSize(config.httpOutputBufferBytes());
                    ServerConnector connector =
                        new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                    connector.setHost(config.httpHost());
                    connector.setPort(config.httpPort());
                    // Short until a stream opens: idle unauthenticated connections go quickly.
                    connector.setIdleTimeout(config.httpIdleTimeout().toMillis());
                    return connector;
                  });
              // Jetty's own errors (414, 431, other malformed requests) as JSON too.
              cfg.jetty.modifyServer(
                  server ->
                      server.setErrorHandler(new JsonErrorHandler(config.maxRequestHeaderBytes())));
              cfg.jetty.modifyWebSocketServletFactory(
                  factory -> {
                    // Outgoing heartbeats keep a stream busy; clients send nothing of interest.
                    factory.setIdleTimeout(streamIdleTimeout);
                    factory.setMaxTextMessageSize(WsHandler.MAX_CLIENT_MESSAGE_BYTES);
                    factory.setMaxBinaryMessageSize(WsHandler.MAX_CLIENT_MESSAGE_BYTES);
                  });
              cfg.requestLogger.ws(logger -> logger.onUpgrade(AccessLog::log));

              // The live viewer: static files from the classpath, index.html at /.
              cfg.staticFiles.add("/viewer", Location.CLASSPATH);

              cfg.routes.get("/health/live", health::live);
              cfg.routes.get("/health/ready", health::ready);
              cfg.routes.get("/metrics", health::metrics);
              cfg.routes.beforeMatched("/v1/tenants/{tenant}/*", auth); // 401/403 first
              cfg.routes.get(EventsHandler.PATH, events);
              cfg.routes.post(EventsHandler.PATH, publish);
              cfg.routes.get(RecentHandler.PATH, recent);
              cfg.routes.get(SnapshotHandler.PATH, snapshot);
              cfg.routes.wsBeforeUpgrade(WsHandler.PATH, ws::beforeUpgrade); // auth included
              cfg.routes.ws(WsHandler.PATH, ws::configure);
              cfg.routes.before(cors::apply);
              cfg.routes.options("/v1/*", cors::preflight);

              cfg.routes.exception(HttpError.class, ErrorResponses::httpError);
              cfg.routes.exception(HttpResponseException.class, ErrorResponses::javalinError);
              cfg.routes.exception(Exception.class, ErrorResponses::unexpected);
            });
    try {
      app.start();
    } catch (RuntimeException e) {
      streams.close();
      auth.close();
      throw e;
    }
    return new EdgeServer(app, streams, auth);
  }

  /** The port the server listens on. */
  public int port() {
    return app.port();
  }

  /**
   * The route table of the running server: every HTTP endpoint (method and path as registered, e.g.
   * {@code GET /v1/tenants/{tenant}/events}) and every WebSocket endpoint (method {@code WS}),
   * sorted by path then method; before/after handlers and static files are not routes.
   */
  public List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    app.unsafe.internalRouter.allHttpHandlers().stream()
        .map(parsed -> parsed.endpoint)
        .filter(endpoint -> endpoint.method.isHttpMethod())
        .forEach(endpoint -> routes.add(new Route(endpoint.method.name(), endpoint.path)));
    app.unsafe.internalRouter.allWsHandlers().stream()
        .filter(entry -> entry.getType() == WsHandlerType.WEBSOCKET)
        .forEach(entry -> routes.add(new Route(Route.WEBSOCKET, entry.getPath())));
    routes.sort(Comparator.comparing(Route::path).thenComparing(Route::method));
    return List.copyOf(routes);
  }

  /**
   * One endpoint of the edge.
   *
   * @param method the HTTP method ({@code GET}, {@code POST}, …) or {@value #WEBSOCKET}
   * @param path the path pattern, with {@code {param}} placeholders
   */
  public record Route(String method, String path) {
    /** The method of WebSocket endpoints. */
    public static final String WEBSOCKET = "WS";
  }

  /** Number of open streams (SSE and WebSocket). */
  public int openStreams() {
    return streams.openCount();
  }

  /** Ends every stream (clients reconnect), then stops the server. */
  @Override
  public void close() {
    streams.closeAll();
    app.stop();
    streams.close();
    auth.close();
  }

  /** The idle timeout of an open stream: its heartbeats must come well within that time. */
  static Duration idleTimeout(Duration heartbeatInterval) {
    return Duration.ofMillis(Math.max(30_000, 2 * heartbeatInterval.toMillis() + 5_000));
  }
}
