package io.changecast.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.changecast.testsupport.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loopback floor's writer process, driven as the fan-out drives a server: the fan-out's client
 * processes open its streams, and every event published (to the events topic, or over stdin)
 * reaches every subscriber of its tenant, in order, however many are due at once.
 */
class LoopbackFloorServerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @TempDir Path workDir;

  @Test
  void everyEventOfTheEventsTopicReachesEverySubscriberOfItsTenant() {
    try (FloorTarget floor = FloorTarget.start(kafka.bootstrapServers(), workDir)) {
      assertThat(floor.name()).isEqualTo("loopback-floor");
      assertThat(floor.describe().path("input").asText()).contains("events topic", "edge's");
      everyEventReachesEverySubscriberOfItsTenant(floor);
    }
  }

  @Test
  void everyEventGivenOverStdinReachesEverySubscriberOfItsTenant() {
    try (FloorTarget floor = FloorTarget.start(workDir)) {
      assertThat(floor.name()).isEqualTo("loopback-floor-stdin");
      everyEventReachesEverySubscriberOfItsTenant(floor);
    }
  }

  private void everyEventReachesEverySubscriberOfItsTenant(FloorTarget floor) {
    try (ClientFleet fleet = ClientFleet.start(30, workDir)) {
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
  void framesDueTogetherReachAConnectionWholeAndInOrder() throws IOException {
    try (FloorTarget floor = FloorTarget.start(workDir);
        Socket socket = stream(floor, "acme")) {
      InputStream in = socket.getInputStream();
      floor.publish("acme", 1, "{\"id\":\"1\"}");
      floor.flush();
      assertThat(readFrames(in, 1)).containsExactly("id: 1\ndata: {\"id\":\"1\"}");

      // more than one gathering write's worth at once, as a writer that fell behind finds them
      int due = LoopbackFloorServer.MAX_LAG - 100;
      List<String> expected = new ArrayList<>();
      for (int id = 2; id < 2 + due; id++) {
        floor.publish("acme", id, "{\"id\":\"" + id + "\",\"pad\":\"" + "x".repeat(200) + "\"}");
        expected.add(
            "id: " + id + "\ndata: {\"id\":\"" + id + "\",\"pad\":\"" + "x".repeat(200) + "\"}");
      }
      floor.flush();
      assertThat(readFrames(in, due)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aConnectionMoreThanTheEdgesQueueCapacityBehindIsCut() throws IOException {
    try (FloorTarget floor = FloorTarget.start(workDir);
        Socket socket = stream(floor, "acme")) {
      InputStream in = socket.getInputStream();
      floor.publish("acme", 1, "{\"id\":\"1\"}");
      floor.flush();
      assertThat(readFrames(in, 1)).hasSize(1); // the writer has the connection

      for (int id = 2; id < 2 + LoopbackFloorServer.MAX_LAG + 1; id++) {
        floor.publish("acme", id, "{\"id\":\"" + id + "\"}");
      }
      floor.flush(); // all appended before the writer looks: it finds the connection too far behind

      assertThat(in.readAllBytes()).isEmpty(); // closed, nothing more written
    }
  }

  @Test
  void aClientThatHasNotReadIsCutOnceItLagsTooFarWhetherOrNotAWriteIsPending() throws IOException {
    try (FloorTarget floor = FloorTarget.start(workDir);
        Socket socket = stream(floor, "acme");
        Socket probe = stream(floor, "probe")) {
      // 24 MB, more than both ends' socket buffers take: a write the writer starts stays pending
      String pad = "x".repeat(40_000);
      int big = 600;
      for (int id = 1; id <= big; id++) {
        floor.publish("acme", id, "{\"id\":\"" + id + "\",\"pad\":\"" + pad + "\"}");
      }
      floor.flush();
      // the connection has written fewer than 600 frames: 1,000 more put it over the cap
      int last = big + LoopbackFloorServer.MAX_LAG;
      for (int id = big + 1; id <= last; id++) {
        floor.publish("acme", id, "{\"id\":\"" + id + "\"}");
      }
      floor.publish("probe", 1, "{\"id\":\"1\"}");
      floor.flush();
      // the probe's frame came after both batches: all are appended while acme has read nothing
      assertThat(readFrames(probe.getInputStream(), 1)).hasSize(1);

      // whatever the sockets held (none if the writer had not got round yet), then the end of the
      // stream: the last frames never come
      String rest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(rest).doesNotContain("id: " + last + "\n");
    }
  }

  @Test
  void anEnvelopeBecomesAFrameWithItsLeadingIdAndAnythingElseIsSkipped() {
    byte[] envelope = "{\"id\":\"42\",\"tenant\":\"acme\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(new String(LoopbackFloorServer.frame(envelope), StandardCharsets.UTF_8))
        .isEqualTo("id: 42\ndata: {\"id\":\"42\",\"tenant\":\"acme\"}\n\n");
    for (String bad :
        List.of(
            "",
            "{}",
            "{\"id\":42}",
            "{\"id\":\"\"}",
            "{\"id\":\"4x\"}",
            "{\"tenant\":\"a\",\"id\":\"1\"}")) {
      assertThat(LoopbackFloorServer.frame(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isNull();
    }
    assertThat(LoopbackFloorServer.frame(null)).isNull();
  }

  @Test
  void theWriterTakesABrokerAndTopicTogetherOrNeither() {
    assertThat(LoopbackFloorServer.options(new String[0])).isEmpty();
    assertThat(
            LoopbackFloorServer.options(
                new String[] {"--bootstrap-servers", "h:1", "--topic", "t"}))
        .containsEntry("--bootstrap-servers", "h:1")
        .containsEntry("--topic", "t");
    assertThatThrownBy(() -> LoopbackFloorServer.options(new String[] {"--topic", "t"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "usage: LoopbackFloorServer [--bootstrap-servers HOST:PORT --topic TOPIC], got:"
                + " --topic t");
  }

  @Test
  void theFloorReadsWithTheEdgesGlobalConsumerSettings() {
    Map<String, Object> config = LoopbackFloorServer.consumerConfig("h:1");
    assertThat(config)
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "h:1")
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
  }

  /** A raw stream of {@code tenant}, its response head read. */
  private static Socket stream(FloorTarget floor, String tenant) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), floor.port());
    socket.setSoTimeout((int) WAIT.toMillis()); // a missing frame fails, not hangs
    OutputStream out = socket.getOutputStream();
    out.write(("GET /floor/" + tenant + "/events HTTP/1.1\r\nHost: x\r\n\r\n").getBytes());
    out.flush();
    StringBuilder head = new StringBuilder();
    InputStream in = socket.getInputStream();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the response head").isNotNegative();
      head.append((char) b);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 200 OK\r\n");
    return socket;
  }

  /** The next {@code count} SSE frames, without their blank line. */
  private static List<String> readFrames(InputStream in, int count) throws IOException {
    List<String> frames = new ArrayList<>();
    StringBuilder frame = new StringBuilder();
    while (frames.size() < count) {
      int b = in.read();
      assertThat(b).as("frame %d of %d", frames.size() + 1, count).isNotNegative();
      frame.append((char) b);
      if (frame.length() >= 2
          && frame.charAt(frame.length() - 1) == '\n'
          && frame.charAt(frame.length() - 2) == '\n') {
        frames.add(frame.substring(0, frame.length() - 2));
        frame.setLength(0);
      }
    }
    return frames;
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
