package io.changecast.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loopback floor's writer process, driven as the fan-out drives a server: the fan-out's client
 * processes open its streams, and every event published reaches every subscriber of its tenant.
 */
class LoopbackFloorServerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path workDir;

  @Test
  void everyEventReachesEverySubscriberOfItsTenantOnlyThroughTheFanOutsClients() {
    try (FloorTarget floor = FloorTarget.start(workDir);
        ClientFleet fleet = ClientFleet.start(30, workDir)) {
      ClientFleet.Opened opened = fleet.open(floor, 30, 3);
      assertThat(opened.ok()).isEqualTo(30);
      assertThat(opened.failed()).isZero();

      // tenant bench-0 gets 4 events, bench-1 gets 1, bench-2 none: 10 subscribers each
      long routedAt = System.currentTimeMillis();
      for (int id = 1; id <= 4; id++) {
        floor.publish("bench-0", id, "{\"id\":\"" + id + "\",\"routedAt\":" + routedAt + "}");
      }
      floor.publish("bench-1", 1, "{\"id\":\"1\",\"routedAt\":" + routedAt + "}");
      floor.publish("nobody", 1, "{\"id\":\"1\"}"); // a tenant without subscribers: no write
      floor.flush();

      await().atMost(WAIT).until(() -> fleet.stats().events() >= 50);
      ClientFleet.Stats stats = fleet.stats();
      assertThat(stats.events()).isEqualTo(50);
      assertThat(stats.latencyMicros().getTotalCount()).isEqualTo(50);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.open()).isEqualTo(30);
      assertThat(floor.cpuNanos()).isPositive();
    }
  }

  @Test
  void aShapesConnectionsAreClosedOnceItsSubscribersAreGone() throws IOException {
    try (FloorTarget floor = FloorTarget.start(workDir);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), floor.port())) {
      socket.setSoTimeout((int) WAIT.toMillis()); // a connection left open fails, not hangs
      OutputStream out = socket.getOutputStream();
      out.write("GET /floor/acme/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      out.flush();
      InputStream in = socket.getInputStream();
      String head = new String(in.readNBytes(17), StandardCharsets.US_ASCII);
      assertThat(head).isEqualTo("HTTP/1.1 200 OK\r\n");

      floor.subscribersClosed(); // returns once the writer has closed its connections

      String rest = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // up to the close
      assertThat(rest).endsWith("\r\n\r\n").doesNotContain("data:");
    }
  }

  @Test
  void aPathOtherThanAFloorStreamIsAnswered404AndClosed() throws IOException {
    try (FloorTarget floor = FloorTarget.start(workDir);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), floor.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /v1/tenants/acme/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 404 Not Found\r\n");
    }
  }

  @Test
  void requestLinesAndEventLinesAreReadStrictly() {
    assertThat(LoopbackFloorServer.tenant("GET /floor/bench-7/events HTTP/1.1"))
        .isEqualTo("bench-7");
    assertThat(LoopbackFloorServer.tenant("GET /floor//events HTTP/1.1")).isNull();
    assertThat(LoopbackFloorServer.tenant("GET /floor/a/b/events HTTP/1.1")).isNull();
    assertThat(LoopbackFloorServer.tenant("POST /floor/a/events HTTP/1.1")).isNull();
    assertThat(LoopbackFloorServer.tenant("GET /floor/a/events")).isNull();

    LoopbackFloorServer.Event event = LoopbackFloorServer.event("e acme 12 {\"id\":\"12\"}");
    assertThat(event.tenant()).isEqualTo("acme");
    assertThat(new String(event.frame(), StandardCharsets.UTF_8))
        .isEqualTo("id: 12\ndata: {\"id\":\"12\"}\n\n");
    assertThatThrownBy(() -> LoopbackFloorServer.event("e acme"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an event line is 'e TENANT ID JSON', got: e acme");
  }
}
