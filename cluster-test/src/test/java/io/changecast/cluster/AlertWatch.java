package io.changecast.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Prometheus's {@code /api/v1/alerts} once a second from its own thread and keeps every
 * alert's state changes: {@code pending}, {@code firing}, {@code inactive} (listed no more, i.e.
 * resolved). An alert with several label sets counts as firing when one fires, else pending when
 * one is pending. Each change is logged.
 */
final class AlertWatch implements AutoCloseable {

  /** The states of an alert, as {@code /api/v1/alerts} lists them (inactive: not listed). */
  enum State {
    INACTIVE,
    PENDING,
    FIRING
  }

  /** {@code alert} entered {@code state} at {@code at} (epoch ms, when this watch saw it). */
  record Change(String alert, State state, long at) {}

  private static final Logger LOG = LoggerFactory.getLogger(AlertWatch.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofSeconds(1);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final URI alerts;
  private final Map<String, State> current = new ConcurrentHashMap<>();
  private final List<Change> changes = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean polledOnce;
  private volatile boolean stopped;

  AlertWatch(URI prometheus) {
    this.alerts = prometheus.resolve("/api/v1/alerts");
    this.thread = new Thread(this::run, "alert-watch");
    thread.setDaemon(true);
    thread.start();
  }

  /** The alert's state at the last poll. */
  State state(String alert) {
    return current.getOrDefault(alert, State.INACTIVE);
  }

  /** Whether Prometheus has answered at least once. */
  boolean polledOnce() {
    return polledOnce;
  }

  /** Every change seen so far, in order. */
  List<Change> changes() {
    return List.copyOf(changes);
  }

  /** The first time at or after {@code since} that {@code alert} entered {@code state}. */
  Optional<Long> firstAt(String alert, State state, long since) {
    return changes.stream()
        .filter(c -> c.alert().equals(alert) && c.state() == state && c.at() >= since)
        .map(Change::at)
        .findFirst();
  }

  private void run() {
    while (!stopped) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(alerts).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          record(JSON.readTree(response.body()).path("data").path("alerts"));
          polledOnce = true;
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // Prometheus not up yet or restarting: keep the last states
      }
      try {
        Thread.sleep(POLL.toMillis()); // the polling period, not a synchronisation
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void record(JsonNode listed) {
    long now = System.currentTimeMillis();
    Map<String, State> seen = new ConcurrentHashMap<>();
    for (JsonNode alert : listed) {
      String name = alert.path("labels").path("alertname").asText();
      State state = "firing".equals(alert.path("state").asText()) ? State.FIRING : State.PENDING;
      seen.merge(name, state, (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
    List<String> names = new ArrayList<>(current.keySet());
    seen.keySet().forEach(n -> names.add(n));
    for (String name : names.stream().distinct().sorted().toList()) {
      State before = current.getOrDefault(name, State.INACTIVE);
      State after = seen.getOrDefault(name, State.INACTIVE);
      if (before != after) {
        current.put(name, after);
        changes.add(new Change(name, after, now));
        LOG.info("Prometheus alert {}: {} -> {}", name, before, after);
      }
    }
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
  }
}
