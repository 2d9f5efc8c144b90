package io.changecast.edge.internal.documents;

import io.changecast.edge.internal.log.EnvelopeParser;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * An in-process probe of the document state's cost (not a test): the edge's path with the state on
 * — the hand-over thread's token pass ({@link EnvelopeParser}), store the event in RocksDB, queue
 * it for the {@link DocumentApplier}, which applies it and evicts beyond a retention of 1,000
 * events per tenant — over a RocksDB opened as Kafka Streams opens the edge's store (universal
 * compaction, a Bloom filter, {@link DocumentStoreOptions}), fed the bench's mix (40% inserts, 40%
 * updates with a post-image, 20% deletes, 1 KB documents, 100 tenants). Prints the process's CPU
 * and the wall time per event, after a warm-up of the same size.
 *
 * <p>{@code java -cp sse-edge/target/test-classes:sse-edge/target/classes:<deps>
 * io.changecast.edge.internal.documents.DocumentStateProbe [events] [dir] [log-only]} ({@code
 * log-only}: the events are stored and parsed, not applied: the floor of the state's cost; add
 * {@code -XX:StartFlightRecording=...} for a profile).
 */
public final class DocumentStateProbe {
  private static final int TENANTS = 100;
  private static final int RETENTION = 1_000;

  private DocumentStateProbe() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 150_000;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("state-probe");
    boolean logOnly = args.length > 2 && args[2].equals("log-only");
    RocksDB.loadLibrary();
    Options options = new Options().setCreateIfMissing(true);
    BlockBasedTableConfig table = new BlockBasedTableConfig();
    table.setBlockCache(new LRUCache(50L * 1024 * 1024));
    table.setBlockSize(4096L);
    table.setFilterPolicy(new BloomFilter());
    options.setTableFormatConfig(table);
    options.setWriteBufferSize(16L * 1024 * 1024);
    options.setCompactionStyle(CompactionStyle.UNIVERSAL);
    options.setMaxWriteBufferNumber(3);
    options.setIncreaseParallelism(Math.max(Runtime.getRuntime().availableProcessors(), 2));
    new DocumentStoreOptions().setConfig("probe", options, Map.of());
    // variants to try, over the edge's options
    if (Boolean.getBoolean("probe.blob")) {
      options.setEnableBlobFiles(true);
      options.setMinBlobSize(Integer.getInteger("probe.minBlob", 512));
      options.setEnableBlobGarbageCollection(true);
    }
    Integer trigger = Integer.getInteger("probe.trigger");
    if (trigger != null) {
      options.setLevel0FileNumCompactionTrigger(trigger);
    }
    if (Boolean.getBoolean("probe.leveled")) {
      options.setCompactionStyle(CompactionStyle.LEVEL);
      options.setLevel0SlowdownWritesTrigger(20);
      options.setLevel0StopWritesTrigger(36);
    }
    String compression = System.getProperty("probe.compression");
    if (compression != null) {
      options.setCompressionType(org.rocksdb.CompressionType.valueOf(compression));
    }
    try (RocksDB db = RocksDB.open(options, dir.toString());
        WriteOptions write = new WriteOptions().setDisableWAL(true)) {
      KeyValues.Mutable kv = store(db, write);
      Documents documents = new Documents(() -> kv);
      Random random = new Random(42);
      Map<String, Long> ids = new HashMap<>();
      Map<String, Integer> keys = new HashMap<>();
      try (DocumentApplier applier =
          new DocumentApplier(
              kv,
              documents,
              (tenant, newest, ts) -> {
                long gone = newest - RETENTION;
                if (gone < 1) {
                  return -1;
                }
                kv.write(List.of(KeyValue.pair(tenant + "/" + gone, null)));
                return gone;
              })) {
        Map<String, Long> ticksBefore = threadTicks();
        long applierCpu = threadCpu("changecast-edge-document-applier");
        long mainCpu = threadCpu("main");
        for (String phase : List.of("warm-up", "measured")) {
          long cpu = cpuNanos();
          long wall = System.nanoTime();
          for (int i = 0; i < events; i++) {
            String tenant = "t" + random.nextInt(TENANTS);
            long id = ids.merge(tenant, 1L, Long::sum);
            int live = keys.getOrDefault(tenant, 0);
            int r = random.nextInt(100);
            String envelope;
            if (r < 40 || live == 0) {
              keys.put(tenant, live + 1);
              envelope = envelope(tenant, id, "insert", "k" + live, document(tenant, live, id));
            } else if (r < 80) {
              int k = random.nextInt(live);
              envelope = envelope(tenant, id, "update", "k" + k, document(tenant, k, id));
            } else {
              envelope = envelope(tenant, id, "delete", "k" + random.nextInt(live), null);
            }
            // the hand-over thread's token pass, then the event stored and queued, as the edge does
            EnvelopeParser.Parsed parsed =
                (EnvelopeParser.Parsed) EnvelopeParser.parse(tenant, envelope);
            kv.write(List.of(KeyValue.pair(tenant + "/" + id, envelope)));
            if (!logOnly) {
              applier.submit(tenant, id, parsed.event().json(), 0);
            }
          }
          applier.drain();
          double cpuMicros = (cpuNanos() - cpu) / 1_000.0 / events;
          double wallMicros = (System.nanoTime() - wall) / 1_000.0 / events;
          long applierNow = threadCpu("changecast-edge-document-applier");
          long mainNow = threadCpu("main");
          System.out.printf(
              "%s: %d events, process CPU %.1f us/event (main thread %.1f, applier %.1f, other"
                  + " threads: RocksDB's, GC, JIT %.1f), wall %.1f us/event, %d documents%n",
              phase,
              events,
              cpuMicros,
              (mainNow - mainCpu) / 1_000.0 / events,
              (applierNow - applierCpu) / 1_000.0 / events,
              cpuMicros - (mainNow - mainCpu + applierNow - applierCpu) / 1_000.0 / events,
              wallMicros,
              documents.held());
          Map<String, Long> byThread = threadTicks();
          StringBuilder others = new StringBuilder("  threads, us/event:");
          byThread.forEach(
              (name, ticks) -> {
                double micros =
                    (ticks - ticksBefore.getOrDefault(name, 0L)) * 10_000.0 / events; // 100 Hz
                if (micros >= 0.5) {
                  others.append(String.format(" %s %.1f", name, micros));
                }
              });
          System.out.println(others);
          System.out.printf(
              "  applier in the store, us/event: get %.1f, range %.1f, write %.1f%n",
              STORE_CPU[0] / 1_000.0 / events,
              STORE_CPU[1] / 1_000.0 / events,
              STORE_CPU[2] / 1_000.0 / events);
          java.util.Arrays.fill(STORE_CPU, 0);
          ticksBefore.clear();
          ticksBefore.putAll(byThread);
          applierCpu = applierNow;
          mainCpu = mainNow;
        }
      }
      long bytes;
      try (var files = Files.walk(dir)) {
        bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      System.out.printf("on disk: %.1f MB%n", bytes / 1e6);
    }
  }

  /** CPU ticks (user + system) of the process's threads, by name without digits (Linux). */
  private static Map<String, Long> threadTicks() {
    Map<String, Long> ticks = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        String stat = Files.readString(task.resolve("stat"));
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        ticks.merge(name.replaceAll("[0-9]", ""), used, Long::sum);
      }
    } catch (java.io.IOException e) {
      return ticks; // not Linux
    }
    return ticks;
  }

  private static long threadCpu(String name) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().equals(name)) {
        return threads.getThreadCpuTime(info.getThreadId());
      }
    }
    return 0;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String document(String tenant, int key, long version) {
    String head =
        "{\"_id\":\"k"
            + key
            + "\",\"tenantId\":\""
            + tenant
            + "\",\"status\":\"paid\",\"version\":"
            + version
            + ",\"payload\":\"";
    return head + "x".repeat(Math.max(0, 1024 - head.length() - 2)) + "\"}";
  }

  private static String envelope(String tenant, long id, String op, String key, String document) {
    return "{\"id\":\""
        + id
        + "\",\"tenant\":\""
        + tenant
        + "\",\"type\":\"bench."
        + op
        + "\",\"operation\":\""
        + op
        + "\",\"database\":\"app\",\"collection\":\"bench\",\"documentKey\":{\"_id\":\""
        + key
        + "\"}"
        + (document == null ? "" : ",\"document\":" + document)
        + (op.equals("update")
            ? ",\"changes\":{\"updatedFields\":{\"version\":" + id + "},\"removedFields\":[]}"
            : "")
        + ",\"routedAt\":"
        + System.currentTimeMillis()
        + "}";
  }

  /** CPU nanos the applier's thread spent in the store's get, range and write. */
  private static final long[] STORE_CPU = new long[3];

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private static boolean onApplier() {
    return Thread.currentThread().getName().equals("changecast-edge-document-applier");
  }

  private static KeyValues.Mutable store(RocksDB db, WriteOptions write) {
    KeyValues.Mutable plain = plainStore(db, write);
    return new KeyValues.Mutable() {
      @Override
      public String get(String key) {
        if (!onApplier()) {
          return plain.get(key);
        }
        long start = THREADS.getCurrentThreadCpuTime();
        try {
          return plain.get(key);
        } finally {
          STORE_CPU[0] += THREADS.getCurrentThreadCpuTime() - start;
        }
      }

      @Override
      public void range(String from, String to, Predicate<KeyValue<String, String>> each) {
        if (!onApplier()) {
          plain.range(from, to, each);
          return;
        }
        long start = THREADS.getCurrentThreadCpuTime();
        try {
          plain.range(from, to, each);
        } finally {
          STORE_CPU[1] += THREADS.getCurrentThreadCpuTime() - start;
        }
      }

      @Override
      public void write(List<KeyValue<String, String>> batch) {
        if (!onApplier()) {
          plain.write(batch);
          return;
        }
        long start = THREADS.getCurrentThreadCpuTime();
        try {
          plain.write(batch);
        } finally {
          STORE_CPU[2] += THREADS.getCurrentThreadCpuTime() - start;
        }
      }
    };
  }

  private static KeyValues.Mutable plainStore(RocksDB db, WriteOptions write) {
    return new KeyValues.Mutable() {
      @Override
      public String get(String key) {
        try {
          byte[] value = db.get(key.getBytes(StandardCharsets.UTF_8));
          return value == null ? null : new String(value, StandardCharsets.UTF_8);
        } catch (RocksDBException e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public void range(String from, String to, Predicate<KeyValue<String, String>> each) {
        byte[] end = to.getBytes(StandardCharsets.UTF_8);
        try (RocksIterator it = db.newIterator()) {
          for (it.seek(from.getBytes(StandardCharsets.UTF_8)); it.isValid(); it.next()) {
            byte[] key = it.key();
            if (java.util.Arrays.compareUnsigned(key, end) > 0) {
              return;
            }
            if (!each.test(
                KeyValue.pair(
                    new String(key, StandardCharsets.UTF_8),
                    new String(it.value(), StandardCharsets.UTF_8)))) {
              return;
            }
          }
        }
      }

      @Override
      public void write(List<KeyValue<String, String>> batch) {
        try (WriteBatch wb = new WriteBatch()) {
          for (KeyValue<String, String> e : batch) {
            byte[] key = e.key.getBytes(StandardCharsets.UTF_8);
            if (e.value == null) {
              wb.delete(key);
            } else {
              wb.put(key, e.value.getBytes(StandardCharsets.UTF_8));
            }
          }
          db.write(write, wb);
        } catch (RocksDBException e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }
}
