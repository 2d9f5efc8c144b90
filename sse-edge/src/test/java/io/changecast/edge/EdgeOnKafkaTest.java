package io.changecast.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.StreamHttpErrorException;
import io.changecast.edge.auth.TestTokens;
import io.changecast.edge.config.EdgeConfig;
import io.changecast.testsupport.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import okhttp3.OkHttpClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's guarantees end to end: a real KRaft broker, the real {@link ChangecastEdge} (its Kafka
 * Streams global store) and real SSE clients over HTTP. Events are written to the events topic as
 * the router writes them (key: tenant, value: the envelope, ids 1..N per tenant).
 *
 * <p>Randomised tests log their seed; rerun one with {@code -Dchangecast.test.seed=<seed>}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeOnKafkaTest {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeOnKafkaTest.class);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration RUN_LIMIT = Duration.ofMinutes(3); // a whole randomised run
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TestTokens TOKENS = new TestTokens();

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  private KafkaProducer<String, String> producer;
  private OkHttpClient okhttp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> perTest = new ArrayList<>();
  private final java.util.logging.Logger okhttpLog =
      java.util.logging.Logger.getLogger(OkHttpClient.class.getName());
  private final ch.qos.logback.classic.Logger accessLog =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.changecast.edge.access");
  private Level accessLogLevel;
  @TempDir Path stateDir;

  @BeforeAll
  void startKafka() {
    // Hanging up cancels the HTTP call on purpose; okhttp then reports the connection as leaked.
    okhttpLog.setLevel(java.util.logging.Level.OFF);
    // A thousand stream lines in the access log say nothing here.
    accessLogLevel = accessLog.getLevel();
    accessLog.setLevel(Level.WARN);
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                "1"),
            new StringSerializer(),
            new StringSerializer());
    okhttp = new OkHttpClient();
  }

  @AfterAll
  void stopKafka() {
    accessLog.setLevel(accessLogLevel);
    okhttpLog.setLevel(null);
    okhttp.dispatcher().executorService().shutdown();
    okhttp.connectionPool().evictAll();
    producer.close(Duration.ofSeconds(10));
  }

  @AfterEach
  void closePerTest() throws Exception {
    for (int i = perTest.size() - 1; i >= 0; i--) {
      perTest.get(i).close();
    }
    perTest.clear();
  }

  /** A ready edge on a fresh 3-partition events topic; {@code settings} are extra config pairs. */
  private Edge startEdge(String... settings) {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String topic = "events-" + suffix;
    kafka.createTopic(topic, 3);
    Map<String, String> values = new HashMap<>();
    values.put("bootstrap.servers", kafka.bootstrapServers());
    values.put("http.port", "0");
    values.put("events.topic", topic);
    values.put("ingest.topic", "ingest-" + suffix);
    values.put("application.id", "edge-proof-" + suffix);
    values.put("state.dir", stateDir.resolve(suffix).toString());
    values.put("heartbeat.interval.ms", "500"); // hung-up clients are noticed by the next write
    for (int i = 0; i < settings.length; i += 2) {
      values.put(settings[i], settings[i + 1]);
    }
    ChangecastEdge edge = ChangecastEdge.start(EdgeConfig.fromMap(values));
    perTest.add(edge);
    await().atMost(WAIT).until(edge::ready);
    return new Edge(edge, topic);
  }

  private record Edge(ChangecastEdge edge, String topic) {
    URI uri(String pathAndQuery) {
      return URI.create("http://127.0.0.1:" + edge.port() + pathAndQuery);
    }

    URI events(String tenant, String query) {
      return uri("/v1/tenants/" + tenant + "/events" + (query.isEmpty() ? "" : "?" + query));
    }
  }

  /** An envelope as the router writes it: {@code orders.created}, with the tenant's id. */
  private static String envelope(String tenant, long id) {
    long now = System.currentTimeMillis();
    return envelope(tenant, id, now, now);
  }

  private static String envelope(String tenant, long id, long wallTime, long routedAt) {
    return "{\"id\":\"%d\",\"tenant\":\"%s\",\"type\":\"orders.created\",\"operation\":\"insert\",\"database\":\"app\",\"collection\":\"orders\",\"documentKey\":{\"_id\":\"%s-%d\"},\"document\":{\"_id\":\"%s-%d\",\"tenantId\":\"%s\",\"n\":%d},\"clusterTime\":{\"$timestamp\":{\"t\":%d,\"i\":%d}},\"wallTime\":%d,\"routedAt\":%d}"
        .formatted(
            id,
            tenant,
            tenant,
            id,
            tenant,
            id,
            tenant,
            id,
            wallTime / 1000,
            id,
            wallTime,
            routedAt);
  }

  private void send(Edge edge, String tenant, String envelope) {
    producer.send(new ProducerRecord<>(edge.topic(), tenant, envelope));
  }

  private void send(Edge edge, String tenant, long fromId, long toId) {
    for (long id = fromId; id <= toId; id++) {
      send(edge, tenant, envelope(tenant, id));
    }
  }

  private SseConnection open(URI uri, String lastEventId, String... headers) throws Exception {
    SseConnection connection = SseConnection.open(okhttp, uri, lastEventId, headers);
    perTest.add(connection);
    return connection;
  }

  private HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(WAIT);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode recent(Edge edge, String tenant, String query, String... headers)
      throws Exception {
    HttpResponse<String> response =
        get(edge.uri("/v1/tenants/" + tenant + "/events/recent?" + query), headers);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static long seed() {
    return Long.getLong("changecast.test.seed", new SecureRandom().nextLong());
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /**
   * A data event of {@code tenant}: unnamed, its envelope of that tenant, and the envelope's id is
   * the SSE id. Returns the id.
   */
  private static long dataEventOf(String tenant, MessageEvent message) throws Exception {
    assertThat(message.getEventName())
        .as("an unexpected control event on %s: %s", tenant, message.getData())
        .isEqualTo(MessageEvent.DEFAULT_EVENT_NAME);
    JsonNode envelope = JSON.readTree(message.getData());
    assertThat(envelope.get("tenant").asText()).as("tenant of %s", message).isEqualTo(tenant);
    assertThat(envelope.get("document").get("tenantId").asText()).isEqualTo(tenant);
    assertThat(envelope.get("id").asText()).isEqualTo(message.getLastEventId());
    return Long.parseLong(message.getLastEventId());
  }

  // ---------------------------------------------------------------------------------------------
  // 1,000 abrupt disconnects and resumes while events flow

  /**
   * A client of one tenant that connects, reads a random number of events, hangs up abruptly,
   * sometimes stays away while events flow, and resumes after the last id it received, with the
   * {@code Last-Event-ID} header or the {@code lastEventId} query parameter, at random.
   */
  private final class ResumingClient {
    final String tenant;
    final Random random;
    final List<Long> ids = new ArrayList<>(); // every data event received, over all connections
    volatile long lastId;
    int byHeader;
    int byQuery;
    int hungUpBeforeReading;
    int stayedAway;

    ResumingClient(String tenant, long seed) {
      this.tenant = tenant;
      this.random = new Random(seed);
    }

    /** Hangs up {@code disconnects} times, then reads up to {@code total} and closes. */
    void run(Edge edge, long total, int disconnects, LongSupplier produced, int maxAway)
        throws Exception {
      for (int done = 0; done < disconnects; done++) {
        if (random.nextInt(4) == 0) {
          // Away while the producer moves on: the next connection starts with a replay.
          stayedAway++;
          long target = Math.min(total, lastId + 1 + random.nextInt(maxAway));
          await().atMost(WAIT).until(() -> produced.getAsLong() >= target);
        }
        long remaining = total - lastId;
        long mean = remaining / (disconnects - done);
        long read = Math.min(remaining, random.nextLong(2 * mean + 2)); // 0 .. about 2 * mean
        if (read == 0) {
          hungUpBeforeReading++;
        }
        try (SseConnection connection = connect(edge)) {
          for (long i = 0; i < read; i++) {
            receive(connection.next());
          }
        } // closed mid-stream: the server may be writing the next events
      }
      try (SseConnection connection = connect(edge)) {
        while (lastId < total) {
          receive(connection.next());
        }
      }
    }

    /**
     * Resumes after {@link #lastId} (0 at first: from id 1) with the header, the query parameter,
     * or, as a browser's {@code EventSource} does, the header on the URL it first opened, which
     * holds the first (stale) position in the query: the header must win.
     */
    private SseConnection connect(Edge edge) throws Exception {
      String position = Long.toString(lastId);
      switch (random.nextInt(3)) {
        case 0 -> {
          byQuery++;
          return SseConnection.open(okhttp, edge.events(tenant, "lastEventId=" + position), null);
        }
        case 1 -> {
          byHeader++;
          return SseConnection.open(okhttp, edge.events(tenant, ""), position);
        }
        default -> {
          byHeader++;
          return SseConnection.open(okhttp, edge.events(tenant, "lastEventId=0"), position);
        }
      }
    }

    private void receive(MessageEvent message) throws Exception {
      long id = dataEventOf(tenant, message);
      ids.add(id);
      lastId = id;
    }
  }

  /**
   * Runs the tasks in parallel until all are done or one fails; the first failure is thrown (the
   * others, maybe blocked on a stream, end when the edge closes after the test).
   */
  private static void runAll(List<Callable<Void>> tasks, AtomicReference<Throwable> failure)
      throws Throwable {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<Future<Void>> running = new ArrayList<>();
      for (Callable<Void> task : tasks) {
        running.add(
            pool.submit(
                () -> {
                  try {
                    return task.call();
                  } catch (Exception | Error e) {
                    failure.compareAndSet(null, e);
                    throw e;
                  }
                }));
      }
      await()
          .atMost(RUN_LIMIT)
          .until(() -> failure.get() != null || running.stream().allMatch(Future::isDone));
      if (failure.get() != null) {
        throw failure.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aThousandAbruptReconnectsWhileEventsFlowEachClientSeesExactlyOneToN() throws Throwable {
    long seed = seed();
    LOG.info("Reconnect test seed {} (rerun: -Dchangecast.test.seed={})", seed, seed);
    Random random = new Random(seed);
    List<String> tenants = List.of("acme", "globex", "initech", "umbrella");
    int clientsPerTenant = 2;
    int disconnectsPerClient = 125; // 4 tenants x 2 clients x 125 = 1,000
    long total = 4000; // events per tenant
    int window = 200; // the producer stays at most this far ahead of the slowest client
    Edge edge = startEdge();

    List<ResumingClient> clients = new ArrayList<>();
    for (String tenant : tenants) {
      for (int i = 0; i < clientsPerTenant; i++) {
        clients.add(new ResumingClient(tenant, random.nextLong()));
      }
    }
    AtomicLong produced = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Callable<Void>> tasks = new ArrayList<>();
    tasks.add(
        () -> {
          List<String> order = new ArrayList<>(tenants);
          for (long id = 1; id <= total && failure.get() == null; id++) {
            Collections.shuffle(order, random);
            for (String tenant : order) {
              send(edge, tenant, envelope(tenant, id));
            }
            produced.set(id);
            if (id % 20 == 0) {
              long floor = id - window;
              await()
                  .atMost(WAIT)
                  .pollInterval(Duration.ofMillis(2))
                  .until(
                      () ->
                          failure.get() != null
                              || clients.stream().allMatch(c -> c.lastId >= floor));
            }
          }
          producer.flush();
          return null;
        });
    for (ResumingClient client : clients) {
      tasks.add(
          () -> {
            client.run(edge, total, disconnectsPerClient, produced::get, window / 2);
            return null;
          });
    }
    runAll(tasks, failure);

    int disconnects = 0;
    for (ResumingClient client : clients) {
      disconnects += client.byHeader + client.byQuery - 1; // the final connection read to the end
      long duplicates = client.ids.size() - client.ids.stream().distinct().count();
      long gaps = total - client.ids.stream().distinct().count();
      assertThat(duplicates).as("duplicates on %s (seed %d)", client.tenant, seed).isZero();
      assertThat(gaps).as("gaps on %s (seed %d)", client.tenant, seed).isZero();
      assertThat(client.ids)
          .as("order on %s (seed %d)", client.tenant, seed)
          .isEqualTo(range(1, total));
      assertThat(client.byHeader).as("resumed with the header").isPositive();
      assertThat(client.byQuery).as("resumed with the query parameter").isPositive();
    }
    assertThat(disconnects).isEqualTo(1000);
    LOG.info(
        "Reconnect test: {} disconnects ({} hung up before reading, {} stayed away; {} header,"
            + " {} query resumes)",
        disconnects,
        clients.stream().mapToInt(c -> c.hungUpBeforeReading).sum(),
        clients.stream().mapToInt(c -> c.stayedAway).sum(),
        clients.stream().mapToInt(c -> c.byHeader).sum(),
        clients.stream().mapToInt(c -> c.byQuery).sum());
    // Every hung-up stream is noticed (by its next write) and released.
    await()
        .atMost(WAIT)
        .until(
            () -> get(edge.uri("/metrics")).body(),
            body -> body.contains("changecast_edge_sse_connections{transport=\"sse\"} 0.0"));
  }

  // ---------------------------------------------------------------------------------------------
  // Too old a position: reset first

  @Test
  void aPositionOlderThanTheRetentionGetsAResetBeforeTheEvents() throws Exception {
    Edge edge = startEdge("retention.events-per-tenant", "5", "retention.max-age", "PT1H");
    send(edge, "acme", 1, 20); // retains 16..20 (by count)
    long now = System.currentTimeMillis();
    long twoHoursAgo = now - Duration.ofHours(2).toMillis();
    for (long id = 1; id <= 3; id++) { // routed two hours ago: evicted by age on the next event
      send(edge, "aged", envelope("aged", id, twoHoursAgo, twoHoursAgo));
    }
    send(edge, "aged", envelope("aged", 4, now, now));
    producer.flush();
    // With the document state (the default) the applier evicts once it applied the events: wait
    // until the retention has settled (ids 1..20 stay in the log until then).
    await()
        .atMost(WAIT)
        .until(
            () ->
                recent(edge, "acme", "after=0").get("latestId").asText().equals("20")
                    && recent(edge, "aged", "after=0").get("latestId").asText().equals("4")
                    && recent(edge, "acme", "after=0").get("oldestRetainedId").asText().equals("16")
                    && recent(edge, "aged", "after=0")
                        .get("oldestRetainedId")
                        .asText()
                        .equals("4"));
    assertThat(recent(edge, "acme", "after=0").get("oldestRetainedId").asText()).isEqualTo("16");
    assertThat(recent(edge, "aged", "after=0").get("oldestRetainedId").asText()).isEqualTo("4");

    SseConnection byHeader = open(edge.events("acme", ""), "3");
    assertRetentionReset(byHeader.next(), "16");
    for (long id = 16; id <= 20; id++) {
      assertThat(dataEventOf("acme", byHeader.next())).isEqualTo(id);
    }
    try (SseConnection byQuery = open(edge.events("acme", "lastEventId=10"), null)) {
      assertRetentionReset(byQuery.next(), "16");
      assertThat(dataEventOf("acme", byQuery.next())).isEqualTo(16);
    }
    try (SseConnection aged = open(edge.events("aged", "lastEventId=1"), null)) {
      assertRetentionReset(aged.next(), "4");
      assertThat(dataEventOf("aged", aged.next())).isEqualTo(4);
    }
    try (SseConnection retained = open(edge.events("acme", ""), "15")) { // 16 is retained
      assertThat(dataEventOf("acme", retained.next())).isEqualTo(16);
    }

    // The stream goes on live; a router reset (source history lost) is passed on by name.
    String routerReset =
        "{\"id\":\"21\",\"tenant\":\"acme\",\"type\":\"changecast.reset\",\"operation\":\"reset\","
            + "\"reason\":\"source-history-lost\",\"namespaces\":[{\"db\":\"app\",\"coll\":\"orders\"}],"
            + "\"routedAt\":"
            + System.currentTimeMillis()
            + "}";
    send(edge, "acme", routerReset);
    send(edge, "acme", 22, 22);
    producer.flush();
    MessageEvent reset = byHeader.next();
    assertThat(reset.getEventName()).isEqualTo("reset");
    assertThat(reset.getLastEventId()).isEqualTo("21");
    assertThat(JSON.readTree(reset.getData()).get("reason").asText())
        .isEqualTo("source-history-lost");
    assertThat(dataEventOf("acme", byHeader.next())).isEqualTo(22);
  }

  private static void assertRetentionReset(MessageEvent message, String oldestRetainedId)
      throws Exception {
    assertThat(message.getEventName()).isEqualTo("reset");
    JsonNode data = JSON.readTree(message.getData());
    assertThat(data.get("reason").asText()).isEqualTo("retention");
    assertThat(data.get("oldestRetainedId").asText()).isEqualTo(oldestRetainedId);
  }

  // ---------------------------------------------------------------------------------------------
  // Tenant isolation with JWT

  private Edge startJwtEdge() {
    return startEdge(
        "auth.mode", "jwt",
        "auth.jwt.hs256-secret", TestTokens.SECRET,
        "auth.jwt.issuer", TestTokens.ISSUER,
        "auth.jwt.audience", TestTokens.AUDIENCE);
  }

  /**
   * Twenty tenants, many a prefix of another or differing only in case or separator, so that a
   * per-tenant range of the store that reached into a neighbour's would show.
   */
  private static final List<String> TWENTY_TENANTS =
      List.of(
          "t", "t0", "t00", "t0.0", "t0-0", "t0_0", "T0", "t1", "t10", "t10.x", "tA", "ta", "t-",
          "t.", "t_", "x", "x0", "xy", "x.y", "x-y");

  private static String tenant(int index) {
    return TWENTY_TENANTS.get(index);
  }

  @Test
  void twentyTenantsWithInterleavedEventsEachSeeOnlyTheirOwn() throws Exception {
    long seed = seed();
    LOG.info("Isolation test seed {} (rerun: -Dchangecast.test.seed={})", seed, seed);
    Random random = new Random(seed);
    Edge edge = startJwtEdge();
    int tenantCount = TWENTY_TENANTS.size();
    Map<String, Long> totals = new HashMap<>();
    List<String> picks = new ArrayList<>(); // one entry per event: the tenant it belongs to
    for (int i = 0; i < tenantCount; i++) {
      long total = 40 + 5L * i; // different totals: the last tenant's ids go far past the first's
      totals.put(tenant(i), total);
      for (long n = 0; n < total; n++) {
        picks.add(tenant(i));
      }
    }
    Collections.shuffle(picks, random);

    // A client on every tenant, from id 1 (position 0), before the events flow; the token in the
    // header (services) or the access_token query parameter (browsers), alternately.
    Map<String, SseConnection> clients = new HashMap<>();
    for (int i = 0; i < tenantCount; i++) {
      String tenant = tenant(i);
      String token = TOKENS.hs256(tenant);
      clients.put(
          tenant,
          i % 2 == 0
              ? open(edge.events(tenant, ""), "0", "Authorization", "Bearer " + token)
              : open(edge.events(tenant, "access_token=" + token), "0"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(tenantCount);
    try {
      List<Future<List<Long>>> received = new ArrayList<>();
      for (int i = 0; i < tenantCount; i++) {
        String tenant = tenant(i);
        long sentinel = totals.get(tenant) + 1;
        SseConnection client = clients.get(tenant);
        received.add(
            pool.submit(
                () -> {
                  List<Long> ids = new ArrayList<>();
                  long id = 0;
                  while (id < sentinel) {
                    id = dataEventOf(tenant, client.next());
                    ids.add(id);
                  }
                  return ids;
                }));
      }
      Map<String, Long> next = new HashMap<>();
      for (String tenant : picks) {
        long id = next.merge(tenant, 1L, Long::sum);
        send(edge, tenant, envelope(tenant, id));
      }
      producer.flush();
      // Once the edge holds every event, a sentinel per tenant: the global store's single thread
      // delivers everything before it, so a client that reads up to its sentinel has seen all
      // that was ever going to reach its stream.
      for (int i = 0; i < tenantCount; i++) {
        String tenant = tenant(i);
        String bearer = "Bearer " + TOKENS.hs256(tenant);
        String expected = Long.toString(totals.get(tenant));
        await()
            .atMost(WAIT)
            .until(
                () ->
                    recent(edge, tenant, "limit=1", "Authorization", bearer)
                        .get("latestId")
                        .asText()
                        .equals(expected));
      }
      for (int i = 0; i < tenantCount; i++) {
        String tenant = tenant(i);
        send(edge, tenant, envelope(tenant, totals.get(tenant) + 1));
      }
      producer.flush();
      for (int i = 0; i < tenantCount; i++) {
        String tenant = tenant(i);
        assertThat(received.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("ids on %s (seed %d)", tenant, seed)
            .isEqualTo(range(1, totals.get(tenant) + 1));
      }
    } finally {
      pool.shutdownNow();
    }

    // /recent: every tenant's own events, all of them, nothing else.
    for (int i = 0; i < tenantCount; i++) {
      String tenant = tenant(i);
      JsonNode page =
          recent(
              edge,
              tenant,
              "after=0&limit=1000",
              "Authorization",
              "Bearer " + TOKENS.hs256(tenant));
      List<Long> ids = new ArrayList<>();
      for (JsonNode envelope : page.get("events")) {
        assertThat(envelope.get("tenant").asText()).isEqualTo(tenant);
        ids.add(Long.parseLong(envelope.get("id").asText()));
      }
      assertThat(ids).as("/recent of %s", tenant).isEqualTo(range(1, totals.get(tenant) + 1));
    }
  }

  @Test
  void anotherTenantsTokenIsForbiddenAndItsIdsLeakNothing() throws Exception {
    Edge edge = startJwtEdge();
    String acmeToken = TOKENS.hs256("acme");
    String globexToken = TOKENS.hs256("globex");
    send(edge, "acme", 1, 10);
    send(edge, "globex", 1, 50);
    producer.flush();
    String acmeBearer = "Bearer " + acmeToken;
    await()
        .atMost(WAIT)
        .until(
            () ->
                recent(edge, "acme", "limit=1", "Authorization", acmeBearer)
                        .get("latestId")
                        .asText()
                        .equals("10")
                    && recent(edge, "globex", "limit=1", "Authorization", "Bearer " + globexToken)
                        .get("latestId")
                        .asText()
                        .equals("50"));

    // Tenant A's token on tenant B: 403 on every route and every way to carry the token.
    for (String path : List.of("/v1/tenants/globex/events", "/v1/tenants/globex/events/recent")) {
      HttpResponse<String> byHeader = get(edge.uri(path), "Authorization", acmeBearer);
      assertThat(byHeader.statusCode()).as(path).isEqualTo(403);
      assertThat(JSON.readTree(byHeader.body()).get("error").asText()).isEqualTo("forbidden");
      assertThat(get(edge.uri(path + "?access_token=" + acmeToken)).statusCode()).isEqualTo(403);
      assertThat(get(edge.uri(path)).statusCode()).as("no token").isEqualTo(401);
    }
    assertThatThrownBy(() -> open(edge.events("globex", ""), "0", "Authorization", acmeBearer))
        .isInstanceOfSatisfying(
            StreamHttpErrorException.class, e -> assertThat(e.getCode()).isEqualTo(403));

    // Resuming acme after an id only globex has reached: nothing of globex, and acme's own events
    // from that id on once acme gets there (an instance that lags may see such an id legitimately).
    SseConnection byHeader = open(edge.events("acme", ""), "40", "Authorization", acmeBearer);
    SseConnection byQuery =
        open(edge.events("acme", "lastEventId=45&access_token=" + acmeToken), null);
    JsonNode page = recent(edge, "acme", "after=40", "Authorization", acmeBearer);
    assertThat(page.get("events")).isEmpty();
    assertThat(page.get("latestId").asText()).isEqualTo("10");
    assertThat(page.get("oldestRetainedId").asText()).isEqualTo("1");

    for (long id = 11; id <= 50; id++) { // interleaved with globex's own next events
      send(edge, "globex", envelope("globex", 40 + id));
      send(edge, "acme", envelope("acme", id));
    }
    producer.flush();
    for (long id = 41; id <= 50; id++) {
      assertThat(dataEventOf("acme", byHeader.next())).isEqualTo(id);
    }
    for (long id = 46; id <= 50; id++) {
      assertThat(dataEventOf("acme", byQuery.next())).isEqualTo(id);
    }
    JsonNode after = recent(edge, "acme", "after=45", "Authorization", acmeBearer);
    List<String> ids = new ArrayList<>();
    for (JsonNode envelope : after.get("events")) {
      assertThat(envelope.get("tenant").asText()).isEqualTo("acme");
      ids.add(envelope.get("id").asText());
    }
    assertThat(ids).containsExactly("46", "47", "48", "49", "50");
  }
}
