package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The test's SSE clients on a minimal SSE server: a hung-up client reconnects by itself and resumes
 * after its last id, and each attempt goes to one of the given hosts.
 */
class SubscribersTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private HttpServer server;
  private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
  private final CountDownLatch done = new CountDownLatch(1);

  /** Sends the three ids after the request's Last-Event-ID, then holds the stream open. */
  private void stream(HttpExchange exchange) throws IOException {
    String last = exchange.getRequestHeaders().getFirst("Last-Event-ID");
    lastEventIds.add(String.valueOf(last));
    long from = last == null ? 0 : Long.parseLong(last);
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      for (long id = from + 1; id <= from + 3; id++) {
        out.write(
            "id: %d\ndata: {\"id\":\"%d\"}\n\n".formatted(id, id).getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      done.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException hungUp) {
      // the client went away
    }
  }

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/tenants/t00/events", this::stream);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stopServer() {
    done.countDown();
    server.stop(0);
  }

  private static List<String> ids(Subscribers.Client client) {
    return client.snapshot().stream().map(Delivery::lastEventId).toList();
  }

  @Test
  void aHungUpClientReconnectsAndResumesAfterItsLastId() {
    try (Subscribers subscribers =
        new Subscribers(
            List.of("t00"), () -> List.of("127.0.0.1"), server.getAddress().getPort(), 1)) {
      Subscribers.Client client = subscribers.clients().get("t00");
      subscribers.start();
      await().atMost(WAIT).until(() -> client.count() == 3);

      subscribers.hangUp(client);
      await().atMost(WAIT).until(() -> client.count() == 6);
      subscribers.hangUp(client);
      await().atMost(WAIT).until(() -> client.count() == 9);

      assertThat(ids(client)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
      assertThat(lastEventIds).containsExactly("0", "3", "6");
      assertThat(client.opens.get()).isEqualTo(3);
      assertThat(subscribers.hangups()).isEqualTo(2);
      assertThat(client.snapshot()).allSatisfy(d -> assertThat(d.eventName()).isEqualTo("message"));
    }
  }

  @Test
  void withNoEdgeUpTheClientKeepsTrying() {
    List<String> edges = new CopyOnWriteArrayList<>();
    try (Subscribers subscribers =
        new Subscribers(
            List.of("t00"), () -> List.copyOf(edges), server.getAddress().getPort(), 1)) {
      Subscribers.Client client = subscribers.clients().get("t00");
      subscribers.start();
      await().atMost(WAIT).until(() -> client.errors.get() >= 2);

      edges.add("127.0.0.1");
      await().atMost(WAIT).until(() -> client.count() == 3);

      assertThat(ids(client)).containsExactly("1", "2", "3");
    }
  }
}
