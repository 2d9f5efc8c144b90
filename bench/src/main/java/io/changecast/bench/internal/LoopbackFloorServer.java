package io.changecast.bench.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writer process of the loopback floor: the least an SSE server can do. It answers {@code GET
 * /floor/<tenant>/events} with a close-delimited {@code text/event-stream} response head and keeps
 * the connection; each event it is given is written, as an SSE frame ({@code id:} and {@code data:}
 * lines), to every connection of its tenant with plain blocking {@code SocketChannel.write}s: no
 * HTTP library, no per-connection queue, no task per write. A writer thread per core writes its
 * share of each tenant's connections (connection {@code j} of a tenant belongs to writer {@code j %
 * writers}).
 *
 * <p>Driven over stdin by {@link FloorTarget}, one line each: {@code e TENANT ID JSON} queues an
 * event, {@code f} hands the queued events to the writers (the publisher's tick), {@code r} closes
 * every connection (a shape's clients are gone: the writer never reads, so it cannot see them
 * close) and prints {@value #DROPPED}, {@code close} ends the process. Prints {@code PORT n} once
 * it listens. Run as a child JVM: its own 20,000 open files hold the server ends of 10,000
 * connections, the readers' ends are in the {@link ClientFleet}'s processes.
 */
public final class LoopbackFloorServer {

  /** Printed once every connection is closed after an {@code r} line. */
  static final String DROPPED = "DROPPED";

  /** The stream path up to the tenant. */
  static final String PATH_PREFIX = "/floor/";

  private static final byte[] HEAD =
      ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
              + "Connection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOT_FOUND =
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);
  private static final String EVENTS_SUFFIX = "/events";

  /** One event: its tenant and the bytes of its SSE frame. */
  record Event(String tenant, byte[] frame) {}

  private final ConcurrentHashMap<String, SocketChannel[]> tenants = new ConcurrentHashMap<>();
  private final List<BlockingQueue<List<Event>>> queues = new ArrayList<>();

  private LoopbackFloorServer(int writers) {
    for (int w = 0; w < writers; w++) {
      BlockingQueue<List<Event>> queue = new ArrayBlockingQueue<>(1_024);
      queues.add(queue);
      int share = w;
      Thread writer = new Thread(() -> write(queue, share, writers), "floor-writer-" + w);
      writer.setDaemon(true);
      writer.start();
    }
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    int writers = Math.max(2, Runtime.getRuntime().availableProcessors());
    LoopbackFloorServer floor = new LoopbackFloorServer(writers);
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 4_096);
    Thread acceptor = new Thread(() -> floor.accept(server), "floor-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    System.out.println("PORT " + ((InetSocketAddress) server.getLocalAddress()).getPort());
    System.out.flush();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16)) {
      List<Event> batch = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null && !line.equals("close")) {
        if (line.equals("f")) {
          if (!batch.isEmpty()) {
            floor.hand(batch);
            batch = new ArrayList<>();
          }
        } else if (line.equals("r")) {
          floor.dropConnections();
          System.out.println(DROPPED);
          System.out.flush();
        } else if (line.startsWith("e ")) {
          batch.add(event(line));
        }
      }
    }
    System.exit(0);
  }

  /** Closes every connection held (writers skip a closed one) and forgets them. */
  private void dropConnections() {
    synchronized (tenants) {
      dropFiled();
    }
  }

  private void dropFiled() {
    for (String tenant : List.copyOf(tenants.keySet())) {
      SocketChannel[] connections = tenants.remove(tenant);
      for (SocketChannel channel : connections == null ? new SocketChannel[0] : connections) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing a connection whose client is gone
        }
      }
    }
  }

  /** {@code e TENANT ID JSON} as the event's tenant and SSE frame. */
  static Event event(String line) {
    int tenantEnd = line.indexOf(' ', 2);
    int idEnd = line.indexOf(' ', tenantEnd + 1);
    if (tenantEnd < 0 || idEnd < 0) {
      throw new IllegalArgumentException("an event line is 'e TENANT ID JSON', got: " + line);
    }
    String frame =
        "id: "
            + line.substring(tenantEnd + 1, idEnd)
            + "\ndata: "
            + line.substring(idEnd + 1)
            + "\n\n";
    return new Event(line.substring(2, tenantEnd), frame.getBytes(StandardCharsets.UTF_8));
  }

  /** The tenant of a request line {@code GET /floor/<tenant>/events HTTP/1.1}, or null. */
  static String tenant(String requestLine) {
    String[] parts = requestLine.split(" ");
    if (parts.length != 3 || !parts[0].equals("GET")) {
      return null;
    }
    String path = parts[1];
    if (!path.startsWith(PATH_PREFIX)
        || !path.endsWith(EVENTS_SUFFIX)
        || path.length() <= PATH_PREFIX.length() + EVENTS_SUFFIX.length()) {
      return null;
    }
    String tenant = path.substring(PATH_PREFIX.length(), path.length() - EVENTS_SUFFIX.length());
    return tenant.contains("/") ? null : tenant;
  }

  private void hand(List<Event> batch) throws InterruptedException {
    List<Event> events = List.copyOf(batch);
    for (BlockingQueue<List<Event>> queue : queues) {
      queue.put(events);
    }
  }

  /** Accepts connections one at a time: reads the request head, answers, files it. */
  private void accept(ServerSocketChannel server) {
    ByteBuffer request = ByteBuffer.allocate(4_096);
    while (true) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        return;
      }
      try {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        request.clear();
        String head = null;
        while (head == null && request.hasRemaining() && channel.read(request) >= 0) {
          String read =
              new String(request.array(), 0, request.position(), StandardCharsets.ISO_8859_1);
          head = read.contains("\r\n\r\n") ? read : null;
        }
        String tenant = head == null ? null : tenant(head.substring(0, head.indexOf("\r\n")));
        if (tenant == null) {
          channel.write(ByteBuffer.wrap(NOT_FOUND));
          channel.close();
          continue;
        }
        synchronized (tenants) { // a client that read the head is filed: dropConnections sees it
          channel.write(ByteBuffer.wrap(HEAD));
          tenants.merge(
              tenant,
              new SocketChannel[] {channel},
              (old, added) -> {
                SocketChannel[] all = Arrays.copyOf(old, old.length + 1);
                all[old.length] = added[0];
                return all;
              });
        }
      } catch (IOException e) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing a failed connection
        }
      }
    }
  }

  /** A writer thread: for each event handed over, its share of the tenant's connections. */
  private void write(BlockingQueue<List<Event>> queue, int share, int writers) {
    try {
      while (true) {
        for (Event event : queue.take()) {
          SocketChannel[] connections = tenants.get(event.tenant());
          if (connections == null) {
            continue;
          }
          for (int j = share; j < connections.length; j += writers) {
            writeFully(connections[j], event.frame());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A blocking write of the whole frame; a connection that fails is closed and skipped since. */
  private static void writeFully(SocketChannel channel, byte[] frame) {
    if (!channel.isOpen()) {
      return;
    }
    try {
      ByteBuffer bytes = ByteBuffer.wrap(frame);
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }
}
