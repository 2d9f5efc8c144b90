package io.changecast.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A connection whose first attempt fails is opened once more; a second failure counts. */
class NioSseClientsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ByteArrayOutputStream answers = new ByteArrayOutputStream();
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private ServerSocket server;
  private NioSseClients clients;
  private Thread loop;

  @AfterEach
  void stop() throws Exception {
    if (clients != null) {
      clients.send("close");
      loop.join(WAIT.toMillis());
    }
    for (Socket socket : held) {
      socket.close();
    }
    server.close();
  }

  @Test
  void aStreamRefusedOnceIsOpenedAgainAndCountedAsRetriedNotFailed() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    serve(path -> requests.getAndIncrement() == 0 ? 502 : 200);

    assertThat(open(3, 1)).isEqualTo("opened 3 0 1 status HTTP/1.1 502 Bad Gateway");
    assertThat(requests).hasValue(4);
  }

  @Test
  void aStreamRefusedTwiceFails() throws Exception {
    serve(path -> path.contains("bench-0/") ? 502 : 200);

    assertThat(open(2, 2)).isEqualTo("opened 1 1 1 status HTTP/1.1 502 Bad Gateway");
  }

  /** Opens {@code count} streams over {@code tenants} tenants; returns the client's answer. */
  private String open(int count, int tenants) throws IOException {
    clients = new NioSseClients(new PrintStream(answers, true, StandardCharsets.UTF_8));
    loop =
        new Thread(
            () -> {
              try {
                clients.loop();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            },
            "nio-sse-clients");
    loop.start();
    clients.send(
        String.join(
            " ",
            "open",
            "127.0.0.1",
            Integer.toString(server.getLocalPort()),
            Integer.toString(count),
            "0",
            Integer.toString(tenants),
            "/v1/tenants/",
            "127.0.0.1"));
    await().atMost(WAIT).until(() -> answers.toString(StandardCharsets.UTF_8).contains("\n"));
    return answers.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
  }

  /** An HTTP server answering each request with the status {@code statusFor} picks by path. */
  private void serve(ToIntFunction<String> statusFor) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  String path = requestLine(socket.getInputStream()).split(" ")[1];
                  OutputStream out = socket.getOutputStream();
                  if (statusFor.applyAsInt(path) == 200) {
                    out.write(
                        ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    held.add(socket); // an open stream
                  } else {
                    out.write(
                        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.close();
                  }
                } catch (IOException e) {
                  return; // closed
                }
              }
            },
            "http");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Reads the request up to its blank line; returns its first line. */
  private static String requestLine(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString().lines().findFirst().orElse("");
  }
}
