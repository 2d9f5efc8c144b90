package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.changecast.bench.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The machine's floor under the fan-out scenario: what one small write to each of N loopback TCP
 * connections costs here, with no server in between. One JVM holds both ends: a thread per core
 * writes a message the size of an SSE frame to each connection of its share per burst (plain
 * non-blocking {@code SocketChannel.write}, no HTTP, no queue, no task per write), and two {@link
 * Selector} threads, as in the fan-out scenario's two client processes, read them. A step bursts
 * once per period and reports the writes per second, the delay from a burst's start to each
 * message's read, and the CPU per write of the writer and reader threads, user and system apart. No
 * server can fan one event out to N subscribers on this machine faster than this.
 */
public final class LoopbackFloorScenario {

  /** Connections the planned steps use, how often a burst starts, and for how long. */
  public record Plan(int connections, List<Integer> periodsMs, Duration warmUp, Duration step) {}

  /** One process holds both ends of every connection: 2 × 9,000 stays under 20,000 open files. */
  public static final int MAX_CONNECTIONS = 9_000;

  /** About an SSE frame of the fan-out scenario (its envelope plus the chunk framing). */
  static final int MESSAGE_BYTES = 150;

  private static final int READERS = 2;
  private static final Duration DRAIN = Duration.ofSeconds(30);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final byte[] MESSAGE = message();

  /**
   * quick: 1,000 connections, a burst every 100 ms for 2 s; full: 9,000 connections, bursts every
   * 1,000, 200, 100 and 50 ms for 10 s each. A positive override sets the connections (at most
   * {@link #MAX_CONNECTIONS}).
   */
  public static Plan plan(Mode mode, int connectionsOverride) {
    Plan plan =
        mode == Mode.QUICK
            ? new Plan(1_000, List.of(100), Duration.ofSeconds(1), Duration.ofSeconds(2))
            : new Plan(
                MAX_CONNECTIONS,
                List.of(1_000, 200, 100, 50),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10));
    if (connectionsOverride <= 0) {
      return plan;
    }
    return new Plan(
        Math.min(connectionsOverride, MAX_CONNECTIONS),
        plan.periodsMs(),
        plan.warmUp(),
        plan.step());
  }

  /** Opens the connections, warms up at the first period, then runs one step per period. */
  public ObjectNode run(Plan plan) {
    int writers = Math.max(2, Runtime.getRuntime().availableProcessors());
    ObjectNode result = JSON.objectNode();
    result.put("connections", plan.connections());
    result.put("writerThreads", writers);
    result.put("readerThreads", READERS);
    result.put("messageBytes", MESSAGE_BYTES);
    long bursts = bursts(plan.periodsMs().get(0), plan.warmUp());
    for (int period : plan.periodsMs()) {
      bursts += bursts(period, plan.step());
    }
    try (Loopback loopback = new Loopback(plan.connections(), writers, bursts)) {
      loopback.step(plan.periodsMs().get(0), plan.warmUp());
      ArrayNode steps = result.putArray("steps");
      for (int period : plan.periodsMs()) {
        steps.add(loopback.step(period, plan.step()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("loopback connections failed", e);
    }
    return result;
  }

  private static long bursts(int periodMs, Duration duration) {
    return Math.max(1, duration.toMillis() / periodMs);
  }

  private static byte[] message() {
    byte[] message = new byte[MESSAGE_BYTES];
    Arrays.fill(message, (byte) 'x');
    byte[] head = "data: ".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(head, 0, message, 0, head.length);
    message[MESSAGE_BYTES - 2] = '\n';
    message[MESSAGE_BYTES - 1] = '\n';
    return message;
  }

  /**
   * Both ends of the connections, the writer pool and the reader threads. Every burst writes each
   * connection once, in order, so the k-th message a connection receives belongs to burst k.
   */
  private static final class Loopback implements AutoCloseable {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final ServerSocketChannel server;
    private final List<SocketChannel> serverEnds = new ArrayList<>();
    private final List<SocketChannel> clientEnds = new ArrayList<>();
    private final List<Thread> writerThreads = new ArrayList<>();
    private final List<Thread> readerThreads = new ArrayList<>();
    private final ExecutorService writerPool;
    private final Recorder delays = new Recorder(3);
    private final AtomicLong messagesRead = new AtomicLong();
    private final long[] bytesRead; // per connection, touched by its reader only
    private final AtomicLongArray burstStarts;
    private final int writers;
    private volatile boolean stopped;
    private long bursts;

    Loopback(int connections, int writers, long bursts) throws IOException {
      this.writers = writers;
      this.burstStarts = new AtomicLongArray(Math.toIntExact(bursts));
      server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), connections);
      bytesRead = new long[connections];
      List<Selector> selectors = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        selectors.add(Selector.open());
      }
      for (int i = 0; i < connections; i++) {
        SocketChannel client = SocketChannel.open(server.getLocalAddress());
        SocketChannel accepted = server.accept();
        accepted.configureBlocking(false);
        accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        client.configureBlocking(false);
        client.register(selectors.get(i % READERS), SelectionKey.OP_READ, i);
        clientEnds.add(client);
        serverEnds.add(accepted);
      }
      for (Selector selector : selectors) {
        Thread reader = new Thread(() -> read(selector), "loopback-floor-reader");
        reader.setDaemon(true);
        readerThreads.add(reader);
        reader.start();
      }
      writerPool =
          Executors.newFixedThreadPool(
              writers,
              runnable -> {
                Thread thread = new Thread(runnable, "loopback-floor-writer");
                thread.setDaemon(true);
                writerThreads.add(thread);
                return thread;
              });
    }

    /** Bursts every {@code periodMs} for {@code duration}, waits for every read, reports. */
    ObjectNode step(int periodMs, Duration duration) {
      int connections = serverEnds.size();
      long stepBursts = bursts(periodMs, duration);
      long first = bursts;
      delays.reset();
      long[] cpuStart = cpu();
      long start = System.nanoTime();
      long incomplete = 0;
      long overrun = 0;
      for (long k = first; k < first + stepBursts; k++) {
        long due = start + (k - first) * periodMs * 1_000_000L;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else if (k > first) {
          overrun++; // the previous burst took longer than the period
        }
        burstStarts.set((int) k, System.nanoTime());
        incomplete += burst();
      }
      bursts = first + stepBursts;
      long expected = bursts * connections;
      long deadline = System.nanoTime() + DRAIN.toNanos();
      while (messagesRead.get() < expected && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000L);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] cpuEnd = cpu();
      Histogram delay = delays.getIntervalHistogram();
      long writes = stepBursts * connections;
      ObjectNode step = JSON.objectNode();
      step.put("periodMs", periodMs);
      step.put("bursts", stepBursts);
      step.put("writes", writes);
      step.put("writesPerSecond", LatencyScenario.round(writes / seconds));
      step.put("incompleteWrites", incomplete);
      step.put("overrunBursts", overrun);
      step.put("complete", messagesRead.get() >= expected);
      Percentiles percentiles = Percentiles.of(delay);
      step.set("burstToReadMs", percentiles.toJson());
      step.set("cdfMs", percentiles.cdfMs());
      ObjectNode perWrite = step.putObject("cpuMicrosPerWrite");
      String[] names = {"writersUser", "writersSystem", "readersUser", "readersSystem"};
      double total = 0;
      for (int i = 0; i < names.length; i++) {
        double micros = (cpuEnd[i] - cpuStart[i]) / 1e3 / writes;
        perWrite.put(names[i], LatencyScenario.round(micros));
        total += micros;
      }
      perWrite.put("total", LatencyScenario.round(total));
      return step;
    }

    /** One message to every connection, each writer thread looping over its share. */
    private long burst() {
      List<Future<Long>> parts = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int from = w;
        parts.add(writerPool.submit(() -> writeEvery(from, writers)));
      }
      long incomplete = 0;
      for (Future<Long> part : parts) {
        try {
          incomplete += part.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
          throw new IllegalStateException("a loopback write failed", e.getCause());
        }
      }
      return incomplete;
    }

    /** Writes the message to connections {@code from, from + step, ...}; counts short writes. */
    private long writeEvery(int from, int step) throws IOException {
      long incomplete = 0;
      for (int i = from; i < serverEnds.size(); i += step) {
        ByteBuffer message = ByteBuffer.wrap(MESSAGE);
        serverEnds.get(i).write(message);
        if (message.hasRemaining()) {
          incomplete++;
        }
      }
      return incomplete;
    }

    /** A reader thread: records, for each whole message read, the delay since its burst began. */
    private void read(Selector selector) {
      ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
      try {
        while (!stopped) {
          selector.select(100);
          long now = System.nanoTime();
          for (SelectionKey key : selector.selectedKeys()) {
            int connection = (Integer) key.attachment();
            buffer.clear();
            int read = ((SocketChannel) key.channel()).read(buffer);
            if (read <= 0) {
              continue;
            }
            long before = bytesRead[connection] / MESSAGE_BYTES;
            bytesRead[connection] += read;
            long after = bytesRead[connection] / MESSAGE_BYTES;
            for (long k = before; k < after; k++) {
              delays.recordValue(Math.max(0, (now - burstStarts.get((int) k)) / 1_000));
            }
            messagesRead.addAndGet(after - before);
          }
          selector.selectedKeys().clear();
        }
      } catch (IOException e) {
        if (!stopped) {
          throw new UncheckedIOException(e);
        }
      }
    }

    /** Writer user, writer system, reader user, reader system CPU time so far (ns). */
    private long[] cpu() {
      long[] cpu = new long[4];
      add(cpu, 0, writerThreads);
      add(cpu, 2, readerThreads);
      return cpu;
    }

    private void add(long[] cpu, int at, List<Thread> group) {
      for (Thread thread : group) {
        long total = threads.getThreadCpuTime(thread.getId());
        long user = threads.getThreadUserTime(thread.getId());
        if (total >= 0 && user >= 0) {
          cpu[at] += user;
          cpu[at + 1] += total - user;
        }
      }
    }

    @Override
    public void close() throws IOException {
      stopped = true;
      writerPool.shutdownNow();
      for (Thread reader : readerThreads) {
        try {
          reader.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (SocketChannel channel : clientEnds) {
        channel.close();
      }
      for (SocketChannel channel : serverEnds) {
        channel.close();
      }
      server.close();
    }
  }
}
