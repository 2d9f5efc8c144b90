package io.changecast.bench.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.HdrHistogram.Histogram;

/**
 * A lean SSE client process: one selector thread holds many HTTP/1.1 connections (plain {@code
 * java.nio} {@link SocketChannel}s, no HTTP library), parses chunked or close-delimited bodies and
 * SSE {@code data:} lines, counts events and records {@code now - routedAt} per event. It is driven
 * over stdin by {@link ClientFleet}, one command per line, each answered on one stdout line:
 *
 * <ul>
 *   <li>{@code open HOST PORT COUNT OFFSET TENANTS PATH_PREFIX SRC_ADDRS} — opens {@code COUNT}
 *       streams {@code PATH_PREFIX<tenant>/events}; connection {@code i} subscribes tenant {@code
 *       bench-<(OFFSET + i) % TENANTS>} and binds to one of the comma-separated source addresses;
 *       answers {@code opened OK FAILED RETRIED [error]} once every connection has its response
 *       headers or failed; a connection whose first attempt fails (refused, reset, a status other
 *       than 200) is opened once more on the same tenant, and only a second failure counts as
 *       failed ({@code RETRIED} counts the second attempts, the error is the first seen)
 *   <li>{@code reset} — zeroes the counters; answers {@code ok}
 *   <li>{@code stats} — answers {@code stats EVENTS DROPPED OPEN HISTOGRAM_BASE64}
 *   <li>{@code close} — closes every connection; answers {@code closed} and exits
 * </ul>
 */
public final class NioSseClients {

  private static final int MAX_IN_FLIGHT = 48;
  private static final byte[] ROUTED_AT = "\"routedAt\":".getBytes(StandardCharsets.US_ASCII);
  private static final long MAX_MICROS = 3_600_000_000L;

  private final Selector selector;
  private final ConcurrentLinkedQueue<String> commands = new ConcurrentLinkedQueue<>();
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
  private final byte[] bytes = new byte[64 * 1024];
  private final PrintStream out;
  private Histogram latency = new Histogram(MAX_MICROS, 3);
  private long events;
  private long dropped;
  private int open;

  // the open command in progress
  private final List<InetSocketAddress> pending = new ArrayList<>();
  private int inFlight;
  private int opened;
  private int failed;
  private int retried;
  private final ArrayDeque<String> retries = new ArrayDeque<>(); // tenants to open once more
  private String firstError;
  private boolean opening;

  NioSseClients(PrintStream out) throws IOException {
    this.selector = Selector.open();
    this.out = out;
  }

  /** Runs the command loop on stdin until {@code close} or end of input. */
  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    NioSseClients clients = new NioSseClients(out);
    Thread stdin =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  clients.send(line.trim());
                }
              } catch (IOException e) {
                // parent gone
              }
              clients.send("close");
            },
            "stdin");
    stdin.setDaemon(true);
    stdin.start();
    clients.loop();
  }

  private String host;
  private int port;
  private String pathPrefix;
  private int offset;
  private int tenants;
  private String[] sources;
  private int toOpen;
  private int started;

  /** Queues a command for the loop (any thread). */
  void send(String command) {
    commands.add(command);
    selector.wakeup();
  }

  /** Runs commands and connections until {@code close}. */
  void loop() throws IOException {
    while (true) {
      selector.select(200);
      String command;
      while ((command = commands.poll()) != null) {
        if (!handle(command)) {
          return;
        }
      }
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        Conn conn = (Conn) key.attachment();
        try {
          if (key.isValid() && key.isConnectable()) {
            connected(key, conn);
          } else if (key.isValid() && key.isReadable()) {
            read(key, conn);
          }
        } catch (IOException | RuntimeException e) {
          fail(key, conn, e.toString());
        }
      }
      if (opening) {
        startMore();
      }
    }
  }

  private boolean handle(String command) throws IOException {
    String[] parts = command.split(" ");
    switch (parts[0]) {
      case "open" -> {
        host = parts[1];
        port = Integer.parseInt(parts[2]);
        toOpen = Integer.parseInt(parts[3]);
        offset = Integer.parseInt(parts[4]);
        tenants = Integer.parseInt(parts[5]);
        pathPrefix = parts[6];
        sources = parts[7].split(",");
        started = 0;
        opened = 0;
        failed = 0;
        retried = 0;
        retries.clear();
        firstError = null;
        opening = true;
        startMore();
      }
      case "reset" -> {
        latency = new Histogram(MAX_MICROS, 3);
        events = 0;
        dropped = 0;
        out.println("ok");
      }
      case "stats" -> {
        ByteBuffer encoded = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
        int length = latency.encodeIntoCompressedByteBuffer(encoded);
        out.println(
            "stats "
                + events
                + " "
                + dropped
                + " "
                + open
                + " "
                + Base64.getEncoder()
                    .encodeToString(java.util.Arrays.copyOf(encoded.array(), length)));
      }
      case "close" -> {
        for (SelectionKey key : selector.keys()) {
          key.channel().close();
        }
        selector.close();
        out.println("closed");
        return false;
      }
      default -> out.println("error unknown command " + parts[0]);
    }
    return true;
  }

  private void startMore() throws IOException {
    while (inFlight < MAX_IN_FLIGHT && (!retries.isEmpty() || started < toOpen)) {
      boolean retry = !retries.isEmpty();
      int index = retry ? retried : started++;
      String tenant = retry ? retries.poll() : "bench-" + ((offset + index) % tenants);
      if (retry) {
        retried++;
      }
      SocketChannel channel = SocketChannel.open();
      Conn conn = new Conn(tenant, retry);
      inFlight++;
      try {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.bind(new InetSocketAddress(sources[index % sources.length], 0));
        if (channel.connect(new InetSocketAddress(host, port))) {
          SelectionKey key = channel.register(selector, SelectionKey.OP_READ, conn);
          request(key, conn);
        } else {
          channel.register(selector, SelectionKey.OP_CONNECT, conn);
        }
      } catch (IOException e) {
        channel.close();
        inFlight--;
        openFailed(conn, e.toString());
      }
    }
    if (opening && opened + failed == toOpen) {
      opening = false;
      out.println(
          "opened "
              + opened
              + " "
              + failed
              + " "
              + retried
              + (firstError == null ? "" : " " + firstError));
    }
  }

  /** A connection that never got its response headers: opened once more, or failed. */
  private void openFailed(Conn conn, String error) {
    firstError = firstError == null ? error : firstError;
    if (conn.retry) {
      failed++;
    } else {
      retries.add(conn.tenant);
    }
  }

  private void connected(SelectionKey key, Conn conn) throws IOException {
    ((SocketChannel) key.channel()).finishConnect();
    key.interestOps(SelectionKey.OP_READ);
    request(key, conn);
  }

  private void request(SelectionKey key, Conn conn) throws IOException {
    String request =
        "GET "
            + pathPrefix
            + conn.tenant
            + "/events HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nAccept: text/event-stream\r\n\r\n";
    ByteBuffer bytes = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
    SocketChannel channel = (SocketChannel) key.channel();
    while (bytes.hasRemaining()) {
      if (channel.write(bytes) == 0) {
        throw new IOException("request not written at once");
      }
    }
  }

  private void read(SelectionKey key, Conn conn) throws IOException {
    SocketChannel channel = (SocketChannel) key.channel();
    while (true) {
      buffer.clear();
      int n = channel.read(buffer);
      if (n < 0) {
        fail(key, conn, "closed by the server");
        return;
      }
      if (n == 0) {
        return;
      }
      buffer.flip();
      buffer.get(bytes, 0, n);
      long now = Clock.nowMicros();
      for (int i = 0; i < n; i++) {
        byte b = bytes[i];
        if (conn.state == Conn.BODY && conn.chunked) {
          i = chunk(conn, i, n, now) - 1;
        } else if (conn.state == Conn.BODY) {
          body(conn, b, now);
        } else {
          header(key, conn, b);
          if (conn.state == Conn.FAILED) {
            return;
          }
        }
      }
    }
  }

  /** Feeds chunked body bytes from {@code i}; returns the index after the consumed ones. */
  private int chunk(Conn conn, int i, int n, long now) {
    while (i < n) {
      byte b = bytes[i];
      switch (conn.chunkState) {
        case Conn.CHUNK_SIZE -> {
          i++;
          if (b == '\n') {
            conn.chunkState = conn.chunkLeft == 0 ? Conn.CHUNK_TRAILER : Conn.CHUNK_DATA;
            conn.chunkExtension = false;
          } else if (b == ';') {
            conn.chunkExtension = true;
          } else if (!conn.chunkExtension && Character.digit(b, 16) >= 0) {
            conn.chunkLeft = conn.chunkLeft * 16 + Character.digit(b, 16);
          }
        }
        case Conn.CHUNK_DATA -> {
          int take = (int) Math.min(conn.chunkLeft, n - i);
          for (int k = 0; k < take; k++) {
            body(conn, bytes[i + k], now);
          }
          i += take;
          conn.chunkLeft -= take;
          if (conn.chunkLeft == 0) {
            conn.chunkState = Conn.CHUNK_END;
          }
        }
        case Conn.CHUNK_END -> {
          i++;
          if (b == '\n') {
            conn.chunkState = Conn.CHUNK_SIZE;
          }
        }
        default -> i++; // trailer of the last chunk: the stream ends
      }
    }
    return i;
  }

  private void header(SelectionKey key, Conn conn, byte b) throws IOException {
    if (b != '\n') {
      conn.append(b);
      return;
    }
    String line = conn.line().trim();
    conn.length = 0;
    if (conn.state == Conn.STATUS) {
      if (!line.startsWith("HTTP/1.1 200") && !line.startsWith("HTTP/1.0 200")) {
        fail(key, conn, "status " + line);
        return;
      }
      conn.state = Conn.HEADERS;
    } else if (line.isEmpty()) {
      conn.state = Conn.BODY;
      conn.line = null;
      inFlight--;
      opened++;
      open++;
    } else if (line.toLowerCase(java.util.Locale.ROOT).startsWith("transfer-encoding:")
        && line.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
      conn.chunked = true;
    }
  }

  private void body(Conn conn, byte b, long now) {
    if (b == '\n') {
      if (conn.length > 5 && conn.startsWithData()) {
        events++;
        long routedAt = conn.routedAt();
        if (routedAt > 0) {
          latency.recordValue(Math.max(0, Math.min(now - routedAt * 1_000L, MAX_MICROS)));
        }
      }
      conn.length = 0;
    } else if (conn.length > 0 || b != '\r') {
      conn.append(b);
    }
  }

  private void fail(SelectionKey key, Conn conn, String error) throws IOException {
    key.cancel();
    key.channel().close();
    if (conn.state == Conn.BODY) {
      open--;
      dropped++;
    } else if (conn.state != Conn.FAILED) {
      inFlight--;
      openFailed(conn, error);
    }
    conn.state = Conn.FAILED;
  }

  /** One connection's parse state; the line buffer exists only while a line is incomplete. */
  private static final class Conn {
    static final int STATUS = 0;
    static final int HEADERS = 1;
    static final int BODY = 2;
    static final int FAILED = 3;
    static final int CHUNK_SIZE = 0;
    static final int CHUNK_DATA = 1;
    static final int CHUNK_END = 2;
    static final int CHUNK_TRAILER = 3;

    final String tenant;
    final boolean retry; // the second attempt of a connection whose first failed
    int state = STATUS;
    boolean chunked;
    int chunkState = CHUNK_SIZE;
    long chunkLeft;
    boolean chunkExtension;
    byte[] line;
    int length;

    Conn(String tenant, boolean retry) {
      this.tenant = tenant;
      this.retry = retry;
    }

    void append(byte b) {
      if (line == null) {
        line = new byte[128];
      } else if (length == line.length) {
        line = java.util.Arrays.copyOf(line, line.length * 2);
      }
      line[length++] = b;
    }

    String line() {
      return length == 0 ? "" : new String(line, 0, length, StandardCharsets.ISO_8859_1);
    }

    boolean startsWithData() {
      return line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':';
    }

    /** {@code routedAt} of the data line's JSON, or 0. */
    long routedAt() {
      outer:
      for (int i = 5; i + ROUTED_AT.length < length; i++) {
        for (int k = 0; k < ROUTED_AT.length; k++) {
          if (line[i + k] != ROUTED_AT[k]) {
            continue outer;
          }
        }
        long value = 0;
        for (int j = i + ROUTED_AT.length; j < length && line[j] >= '0' && line[j] <= '9'; j++) {
          value = value * 10 + (line[j] - '0');
        }
        return value;
      }
      return 0;
    }
  }
}
