package io.changecast.bench.internal;

import io.changecast.edge.config.EdgeConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The writer process of the loopback floor: the least a fast SSE server does with the edge's input.
 *
 * <p><b>Input.</b> With {@code --bootstrap-servers B --topic T} it reads the events topic the
 * fan-out publishes to as the edge reads it: one plain {@link KafkaConsumer} with the consumer
 * settings the edge's Kafka Streams global thread gets ({@link #consumerConfig}: the edge's {@code
 * read_committed}, Streams' defaults, its {@code poll.ms}), assigned every partition from their end
 * (no store, no replay). Each record's key is the tenant, its value the envelope; the id is read
 * from the envelope's leading {@code "id":"n"} (the harness writes it first), nothing else is
 * parsed. Without them (the "no broker hop" form) it takes the events from stdin: {@code e TENANT
 * ID JSON} queues one, {@code f} hands the queued ones over (the publisher's tick).
 *
 * <p><b>Output.</b> It answers {@code GET /floor/<tenant>/events} with a close-delimited {@code
 * text/event-stream} head and keeps the connection. Each event becomes one SSE frame ({@code id:}
 * and {@code data:}), appended once to its tenant's chain of frames, shared by all its connections;
 * each connection only holds the last frame it wrote. A writer thread per core owns its share of
 * every tenant's connections (non-blocking channels on its own {@link Selector}): told that a
 * tenant has new frames, it writes to each of its connections everything that connection has not
 * had yet in one gathering write, so what is due per connection is coalesced when events come
 * faster than the writer gets round (no timer, no wait: a write never waits for more events). A
 * write the socket does not take whole stays pending until the channel is writable again. A
 * connection more than the edge's default {@code sse.queue-capacity} frames behind is cut, as the
 * edge cuts it. No HTTP library, no per-event task, no per-connection queue.
 *
 * <p>Control lines on stdin, either form: {@code r} closes every connection (a shape's clients are
 * gone: the writer never reads, so it cannot see them close) and prints {@value #DROPPED}, {@code
 * close} ends the process. Prints {@code PORT n} once it listens and reads. Run as a child JVM
 * ({@link FloorTarget}): its own open files hold the server ends of 10,000 connections, the
 * readers' ends are in the {@link ClientFleet}'s processes.
 */
public final class LoopbackFloorServer {

  /** Printed once every connection is closed after an {@code r} line. */
  static final String DROPPED = "DROPPED";

  /** The stream path up to the tenant. */
  static final String PATH_PREFIX = "/floor/";

  /** Frames a connection may lag behind its tenant's newest before it is cut (the edge's cap). */
  static final int MAX_LAG = EdgeConfig.DEFAULT_SSE_QUEUE_CAPACITY;

  /** Frames gathered into one write at most. */
  private static final int GATHER = 256;

  /** Bytes of each direct buffer frames are copied into (the input thread's bump allocator). */
  private static final int SLAB = 1 << 20;

  private static final byte[] HEAD =
      ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
              + "Connection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NOT_FOUND =
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);
  private static final String EVENTS_SUFFIX = "/events";
  private static final byte[] ID_FIELD = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);

  /** One event: its tenant and the bytes of its SSE frame. */
  record Event(String tenant, byte[] frame) {}

  /** One frame of a tenant's chain: appended by the input thread, read by the writers. */
  private static final class Frame {
    final long seq;
    final ByteBuffer bytes; // direct, never moved: writers write duplicates
    volatile Frame next;

    Frame(long seq, ByteBuffer bytes) {
      this.seq = seq;
      this.bytes = bytes;
    }
  }

  /** A tenant: the newest frame of its chain, and each writer's share of its connections. */
  private static final class Tenant {
    volatile Frame tail = new Frame(0, ByteBuffer.allocateDirect(0));
    final List<List<Connection>> byWriter = new ArrayList<>(); // list w: writer w's thread only
    int accepted; // the acceptor's count, for the round-robin over writers

    Tenant(int writers) {
      for (int w = 0; w < writers; w++) {
        byWriter.add(new ArrayList<>());
      }
    }
  }

  /** A connection: the last frame it wrote, and a write the socket has not taken whole. */
  private static final class Connection {
    final SocketChannel channel;
    final Tenant tenant;
    Frame written;
    SelectionKey key;
    ByteBuffer[] pending;
    Frame pendingLast;

    Connection(SocketChannel channel, Tenant tenant, Frame written) {
      this.channel = channel;
      this.tenant = tenant;
      this.written = written;
    }
  }

  private final ConcurrentHashMap<String, Tenant> tenants = new ConcurrentHashMap<>();
  private final List<Writer> writers = new ArrayList<>();
  private final Object filing = new Object(); // a head written and its connection handed over
  private ByteBuffer slab = ByteBuffer.allocateDirect(0); // the input thread's only

  private LoopbackFloorServer(int writerCount) throws IOException {
    for (int w = 0; w < writerCount; w++) {
      Writer writer = new Writer(w);
      writers.add(writer);
      Thread thread = new Thread(writer, "floor-writer-" + w);
      thread.setDaemon(true);
      thread.start();
    }
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    Map<String, String> options = options(args);
    LoopbackFloorServer floor =
        new LoopbackFloorServer(Math.max(2, Runtime.getRuntime().availableProcessors()));
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 4_096);
    Thread acceptor = new Thread(() -> floor.accept(server), "floor-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    boolean fromTopic = options.containsKey("--topic");
    if (fromTopic) {
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(
              consumerConfig(options.get("--bootstrap-servers")),
              new StringDeserializer(),
              new ByteArrayDeserializer());
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(options.get("--topic"))) {
        partitions.add(new TopicPartition(info.topic(), info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // resolved now: every later event is read
      long pollMs = new StreamsConfig(streamsProperties("-")).getLong(StreamsConfig.POLL_MS_CONFIG);
      Thread input = new Thread(() -> floor.consume(consumer, pollMs), "floor-input");
      input.setDaemon(true);
      input.start();
    }
    System.out.println("PORT " + ((InetSocketAddress) server.getLocalAddress()).getPort());
    System.out.flush();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16)) {
      List<Event> batch = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null && !line.equals("close")) {
        if (line.equals("r")) {
          floor.dropConnections();
          System.out.println(DROPPED);
          System.out.flush();
        } else if (fromTopic) {
          System.err.println(
              "reading the events topic: only 'r' and 'close' are read, got: " + line);
        } else if (line.equals("f")) {
          floor.append(batch);
          batch.clear();
        } else if (line.startsWith("e ")) {
          batch.add(event(line));
        }
      }
    }
    System.exit(0);
  }

  /** {@code --bootstrap-servers B --topic T}, both or neither. */
  static Map<String, String> options(String[] args) {
    if (args.length == 0) {
      return Map.of();
    }
    if (args.length == 4
        && args[0].equals("--bootstrap-servers")
        && args[2].equals("--topic")
        && !args[1].isBlank()
        && !args[3].isBlank()) {
      return Map.of(args[0], args[1], args[2], args[3]);
    }
    throw new IllegalArgumentException(
        "usage: LoopbackFloorServer [--bootstrap-servers HOST:PORT --topic TOPIC], got: "
            + String.join(" ", args));
  }

  /**
   * The edge's Kafka Streams properties as {@code ChangecastEdge} sets them for the bench's edge
   * (application id, bootstrap servers, {@code read_committed} for the global consumer: the router
   * writes in transactions), without the document state's RocksDB setter.
   */
  static Properties streamsProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-floor");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(
        StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG),
        "read_committed");
    return props;
  }

  /**
   * The consumer settings the edge's global thread reads the events topic with: Kafka Streams'
   * {@link StreamsConfig#getGlobalConsumerConfigs} of the edge's properties (its fetch settings,
   * {@code max.poll.records}, isolation level; no group).
   */
  static Map<String, Object> consumerConfig(String bootstrapServers) {
    return new StreamsConfig(streamsProperties(bootstrapServers))
        .getGlobalConsumerConfigs("bench-floor");
  }

  /** The input thread of the topic form: polls as the edge's global thread does, appends. */
  private void consume(KafkaConsumer<String, byte[]> consumer, long pollMs) {
    List<Event> batch = new ArrayList<>();
    Duration poll = Duration.ofMillis(pollMs);
    while (true) {
      ConsumerRecords<String, byte[]> records = consumer.poll(poll);
      for (ConsumerRecord<String, byte[]> record : records) {
        byte[] frame = record.key() == null ? null : frame(record.value());
        if (frame != null) {
          batch.add(new Event(record.key(), frame));
        }
      }
      if (!batch.isEmpty()) {
        append(batch);
        batch.clear();
      }
    }
  }

  /**
   * The SSE frame of an envelope whose text starts {@code {"id":"n"}: {@code id: n}, then the
   * envelope as {@code data:}; null when it does not start so (the record is skipped).
   */
  static byte[] frame(byte[] envelope) {
    if (envelope == null
        || envelope.length < ID_FIELD.length + 2
        || envelope[0] != '{'
        || !startsWith(envelope, 1, ID_FIELD)) {
      return null;
    }
    int idStart = 1 + ID_FIELD.length;
    int idEnd = idStart;
    while (idEnd < envelope.length && envelope[idEnd] >= '0' && envelope[idEnd] <= '9') {
      idEnd++;
    }
    if (idEnd == idStart || idEnd >= envelope.length || envelope[idEnd] != '"') {
      return null;
    }
    int idLength = idEnd - idStart;
    byte[] frame = new byte[4 + idLength + 7 + envelope.length + 2];
    int at = put(frame, 0, "id: ");
    System.arraycopy(envelope, idStart, frame, at, idLength);
    at = put(frame, at + idLength, "\ndata: ");
    System.arraycopy(envelope, 0, frame, at, envelope.length);
    put(frame, at + envelope.length, "\n\n");
    return frame;
  }

  private static boolean startsWith(byte[] bytes, int from, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int put(byte[] into, int at, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      into[at + i] = (byte) ascii.charAt(i);
    }
    return at + ascii.length();
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

  /**
   * Appends each event to its tenant's chain (one input thread calls this) and tells every writer
   * which tenants have new frames. An event of a tenant nobody subscribed to goes nowhere.
   */
  private void append(List<Event> batch) {
    List<Tenant> touched = new ArrayList<>();
    for (Event event : batch) {
      Tenant tenant = tenants.get(event.tenant());
      if (tenant == null) {
        continue;
      }
      Frame tail = tenant.tail;
      Frame frame = new Frame(tail.seq + 1, direct(event.frame()));
      tail.next = frame;
      tenant.tail = frame;
      if (touched.isEmpty() || touched.get(touched.size() - 1) != tenant) {
        touched.add(tenant);
      }
    }
    if (!touched.isEmpty()) {
      for (Writer writer : writers) {
        writer.tell(touched);
      }
    }
  }

  /**
   * The frame copied once into direct memory (a slice of the current slab), so that no write copies
   * it again: a heap buffer is copied into a temporary direct one on every write.
   */
  private ByteBuffer direct(byte[] frame) {
    if (slab.remaining() < frame.length) {
      slab = ByteBuffer.allocateDirect(Math.max(SLAB, frame.length));
    }
    ByteBuffer bytes = slab.slice(slab.position(), frame.length);
    slab.put(frame);
    return bytes;
  }

  /** Every writer closes its connections; returns once they all have. */
  private void dropConnections() throws InterruptedException {
    CountDownLatch dropped = new CountDownLatch(writers.size());
    synchronized (filing) {
      for (Writer writer : writers) {
        writer.tell(List.of(dropped));
      }
    }
    dropped.await();
  }

  /**
   * Accepts connections one at a time: reads the request head, answers, and hands the connection to
   * a writer (round-robin per tenant), positioned at its tenant's newest frame: every event
   * appended after the client read the head reaches it.
   */
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
        String name = head == null ? null : tenant(head.substring(0, head.indexOf("\r\n")));
        if (name == null) {
          channel.write(ByteBuffer.wrap(NOT_FOUND));
          channel.close();
          continue;
        }
        Tenant tenant = tenants.computeIfAbsent(name, n -> new Tenant(writers.size()));
        Connection connection = new Connection(channel, tenant, tenant.tail);
        // a client that read the head is in its writer's inbox before any later drop
        synchronized (filing) {
          ByteBuffer answer = ByteBuffer.wrap(HEAD);
          while (answer.hasRemaining()) {
            channel.write(answer);
          }
          channel.configureBlocking(false);
          writers.get(tenant.accepted++ % writers.size()).tell(List.of(connection));
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

  /** A writer thread: its connections on its selector, woken by the input and the acceptor. */
  private static final class Writer implements Runnable {
    private final int index;
    private final Selector selector;
    private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean woken = new AtomicBoolean();
    private final List<Connection> mine = new ArrayList<>();

    Writer(int index) throws IOException {
      this.index = index;
      this.selector = Selector.open();
    }

    /**
     * Hands over tenants with new frames, new connections or a drop latch, and wakes the writer.
     */
    void tell(List<?> items) {
      inbox.addAll(items);
      if (!woken.get() && woken.compareAndSet(false, true)) {
        selector.wakeup();
      }
    }

    @Override
    public void run() {
      while (true) {
        try {
          selector.select();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        woken.set(false);
        Object item;
        while ((item = inbox.poll()) != null) {
          if (item instanceof Tenant tenant) {
            for (Connection connection : tenant.byWriter.get(index)) {
              flush(connection);
            }
          } else if (item instanceof Connection connection) {
            register(connection);
          } else if (item instanceof CountDownLatch dropped) {
            drop();
            dropped.countDown();
          }
        }
        Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
        while (ready.hasNext()) {
          SelectionKey key = ready.next();
          ready.remove();
          if (key.isValid()) {
            flush((Connection) key.attachment());
          }
        }
      }
    }

    private void register(Connection connection) {
      try {
        connection.key = connection.channel.register(selector, 0, connection);
      } catch (IOException e) {
        close(connection);
        return;
      }
      connection.tenant.byWriter.get(index).add(connection);
      mine.add(connection);
      flush(connection); // frames appended since the head was written
    }

    private void drop() {
      for (Connection connection : mine) {
        close(connection);
        connection.tenant.byWriter.get(index).clear();
      }
      mine.clear();
      selector.selectedKeys().clear();
    }

    /**
     * Writes what the connection has not had yet, each time in one gathering write of up to {@value
     * #GATHER} frames, until it has everything or the socket takes no more (then it waits for the
     * channel to be writable).
     */
    private void flush(Connection connection) {
      if (!connection.channel.isOpen()) {
        return;
      }
      if (connection.tenant.tail.seq - connection.written.seq > MAX_LAG) {
        close(connection); // the client stopped reading (a write may be pending for long)
        return;
      }
      try {
        if (connection.pending != null) {
          connection.channel.write(connection.pending);
          if (connection.pending[connection.pending.length - 1].hasRemaining()) {
            return;
          }
          connection.written = connection.pendingLast;
          connection.pending = null;
        }
        Frame next;
        while ((next = connection.written.next) != null) {
          if (connection.tenant.tail.seq - connection.written.seq > MAX_LAG) {
            close(connection); // the client stopped reading
            return;
          }
          ByteBuffer[] buffers = gather(next);
          Frame last = next;
          for (int i = 1; i < buffers.length; i++) {
            last = last.next;
          }
          if (buffers.length == 1) {
            connection.channel.write(buffers[0]);
          } else {
            connection.channel.write(buffers);
          }
          if (buffers[buffers.length - 1].hasRemaining()) {
            connection.pending = buffers;
            connection.pendingLast = last;
            connection.key.interestOps(SelectionKey.OP_WRITE);
            return;
          }
          connection.written = last;
        }
        if (connection.key.interestOps() != 0) {
          connection.key.interestOps(0);
        }
      } catch (IOException | RuntimeException e) {
        close(connection); // the client is gone
      }
    }

    /** The frames from {@code first} on, up to {@value #GATHER}, as buffers of their own. */
    private static ByteBuffer[] gather(Frame first) {
      int count = 1;
      for (Frame f = first.next; f != null && count < GATHER; f = f.next) {
        count++;
      }
      ByteBuffer[] buffers = new ByteBuffer[count];
      Frame f = first;
      for (int i = 0; i < count; i++, f = f.next) {
        buffers[i] = f.bytes.duplicate();
      }
      return buffers;
    }

    /** Closes the connection and lets go of its frames (a closed one is skipped since). */
    private static void close(Connection connection) {
      connection.written = null;
      connection.pending = null;
      connection.pendingLast = null;
      try {
        connection.channel.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }
}
