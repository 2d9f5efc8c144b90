package io.changecast.cluster;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.RetryDelayStrategy;
import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import com.launchdarkly.logging.LDLogger;
import com.launchdarkly.logging.LDSLF4J;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One SSE client per tenant on LaunchDarkly's okhttp-eventsource, which reconnects by itself and
 * resumes with {@code Last-Event-ID}. Every connection attempt goes to an edge chosen at random
 * (seeded per client) from the live ones: an OkHttp interceptor rewrites the request's host. Now
 * and then a random client hangs up at a random moment: its HTTP call is cancelled, which the
 * library sees as a dropped connection, so it reconnects and resumes by itself. ({@link
 * EventSource#interrupt()} would not do: under {@link BackgroundEventSource} it ends the stream for
 * good.)
 */
final class Subscribers implements AutoCloseable {

  /** One tenant's client and what it received, in arrival order. */
  static final class Client {
    final String tenant;
    final List<Delivery> received = new ArrayList<>();
    final AtomicLong opens = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    /** The HTTP call of the current connection attempt. */
    final java.util.concurrent.atomic.AtomicReference<okhttp3.Call> call =
        new java.util.concurrent.atomic.AtomicReference<>();

    BackgroundEventSource source;

    Client(String tenant) {
      this.tenant = tenant;
    }

    synchronized List<Delivery> snapshot() {
      return List.copyOf(received);
    }

    synchronized int count() {
      return received.size();
    }

    /** How many different data event ids arrived. */
    synchronized long distinctIds() {
      return received.stream()
          .filter(d -> "message".equals(d.eventName()))
          .map(Delivery::lastEventId)
          .distinct()
          .count();
    }

    private synchronized void add(Delivery delivery) {
      received.add(delivery);
    }
  }

  private final Map<String, Client> clients = new TreeMap<>();
  private final OkHttpClient okhttp;
  private final ScheduledExecutorService hangups =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "cluster-hangups");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong hangupCount = new AtomicLong();

  /** Clients of edges on their usual port; {@code edges} are the IPs of the edges up now. */
  Subscribers(List<String> tenants, Supplier<List<String>> edges, long seed) {
    this(tenants, edges, Probes.EDGE_PORT, seed);
  }

  /**
   * @param edges the hosts of the edges that are up now (read on every connection attempt)
   * @param port the edges' HTTP port
   */
  Subscribers(List<String> tenants, Supplier<List<String>> edges, int port, long seed) {
    this.okhttp =
        new OkHttpClient.Builder()
            .connectTimeout(2, TimeUnit.SECONDS)
            .readTimeout(60, TimeUnit.SECONDS) // heartbeats come every 15 s
            .retryOnConnectionFailure(false)
            .build();
    LDLogger logger = LDLogger.withAdapter(LDSLF4J.adapter(), "cluster.sse");
    for (int i = 0; i < tenants.size(); i++) {
      String tenant = tenants.get(i);
      Client client = new Client(tenant);
      Random random = new Random(seed * 31 + i);
      OkHttpClient http =
          okhttp.newBuilder().addInterceptor(new RandomEdge(edges, random, client)).build();
      // The host is a placeholder: RandomEdge replaces it on every attempt.
      URI uri = URI.create("http://edge:" + port + "/v1/tenants/" + tenant + "/events");
      EventSource.Builder events =
          new EventSource.Builder(
                  ConnectStrategy.http(uri).httpClient(http).readTimeout(60, TimeUnit.SECONDS))
              .errorStrategy(ErrorStrategy.alwaysContinue())
              .retryDelay(200, TimeUnit.MILLISECONDS)
              .retryDelayStrategy(
                  RetryDelayStrategy.defaultStrategy().maxDelay(2, TimeUnit.SECONDS))
              .lastEventId("0") // from the tenant's first event
              .logger(logger);
      client.source =
          new BackgroundEventSource.Builder(new Handler(client), events)
              .threadBaseName("sse-" + tenant)
              .build();
      clients.put(tenant, client);
    }
  }

  void start() {
    clients.values().forEach(c -> c.source.start());
  }

  /**
   * Every so often (a random 0.2–3 s, seeded) a random client hangs up; the library reconnects and
   * resumes from its last id.
   */
  void startHangups(long seed) {
    Random random = new Random(seed);
    List<Client> all = List.copyOf(clients.values());
    scheduleHangup(random, all);
  }

  private void scheduleHangup(Random random, List<Client> all) {
    long delay = 200 + random.nextInt(2_800);
    Client victim = all.get(random.nextInt(all.size()));
    hangups.schedule(
        () -> {
          hangUp(victim);
          scheduleHangup(random, all);
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  /** Drops the client's current connection; the library reconnects and resumes. */
  void hangUp(Client client) {
    okhttp3.Call call = client.call.get();
    if (call != null) {
      call.cancel();
      hangupCount.incrementAndGet();
    }
  }

  void stopHangups() {
    hangups.shutdownNow();
  }

  long hangups() {
    return hangupCount.get();
  }

  Map<String, Client> clients() {
    return clients;
  }

  /** Per tenant, what its client received so far. */
  Map<String, List<Delivery>> received() {
    Map<String, List<Delivery>> result = new TreeMap<>();
    clients.forEach((tenant, client) -> result.put(tenant, client.snapshot()));
    return result;
  }

  long opens() {
    return clients.values().stream().mapToLong(c -> c.opens.get()).sum();
  }

  @Override
  public void close() {
    stopHangups();
    clients.values().forEach(c -> c.source.close());
    okhttp.dispatcher().executorService().shutdown();
    okhttp.connectionPool().evictAll();
  }

  /** Sends each request to an edge chosen at random among the live ones. */
  private record RandomEdge(Supplier<List<String>> edges, Random random, Client client)
      implements Interceptor {
    @Override
    public Response intercept(Chain chain) throws IOException {
      client.call.set(chain.call());
      List<String> live = edges.get();
      if (live.isEmpty()) {
        throw new IOException("no edge is up");
      }
      String ip;
      synchronized (random) {
        ip = live.get(random.nextInt(live.size()));
      }
      Request request = chain.request();
      return chain.proceed(
          request.newBuilder().url(request.url().newBuilder().host(ip).build()).build());
    }
  }

  private record Handler(Client client) implements BackgroundEventHandler {
    @Override
    public void onOpen() {
      client.opens.incrementAndGet();
    }

    @Override
    public void onClosed() {}

    @Override
    public void onMessage(String event, MessageEvent message) {
      client.add(
          new Delivery(
              event, message.getLastEventId(), message.getData(), System.currentTimeMillis()));
    }

    @Override
    public void onComment(String comment) {}

    @Override
    public void onError(Throwable error) {
      client.errors.incrementAndGet();
    }
  }
}
