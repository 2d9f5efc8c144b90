package io.changecast.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routers that share the work, on containers (issue 19, "Scale-out on containers"): a broker
 * container and 1, 2, then 3 router containers ({@code changecast/streams-router}, each {@code
 * --cpus} {@value #DEFAULT_CPUS} by default) on a pre-filled backlog of tenant-partitioned raw
 * topics ({@value #PARTITIONS} partitions, keyed by tenant, {@code tenant.strategy=field:tenantId}
 * with pre-images on deletes). Each run has a fresh {@code application.id} and events topic.
 * Throughput is the growth of the router group's committed raw offsets: warm-up is the first {@code
 * scaleout.warmup.s} seconds after the group's first commit, then the rate over {@code
 * scaleout.measure.s} seconds. In the 2- and 3-instance runs one instance is then SIGKILLed and
 * restarted; once the whole backlog is committed a {@code read_committed} checker requires every
 * tenant's ids exactly 1..N, in source order per raw topic. The broker's and routers' CPU comes
 * from {@code docker stats} during the window. Results: {@code bench/results/issue19/scale-out.md}.
 *
 * <p>Run: {@code ./mvnw -B -pl cluster-test verify -Pscale-out} (needs Docker and the images).
 * Containers, network and names start with {@code i19-}; the broker publishes on an ephemeral port.
 */
class ScaleOutIT {

  private static final Logger LOG = LoggerFactory.getLogger(ScaleOutIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String DEFAULT_CPUS = "0.25";
  private static final int PARTITIONS = 6;
  private static final List<String> TOPICS =
      List.of("changecast.raw.app.orders", "changecast.raw.app.invoices");
  private static final long BASE_SECONDS = 1_700_000_000L;
  private static final Duration DOCKER = Duration.ofMinutes(3);

  private static final String RUN = "i19-" + UUID.randomUUID().toString().substring(0, 6);
  private static final String NET = RUN + "-net";
  private static final String BROKER = RUN + "-kafka";
  private static final Path DIR = Path.of(".");
  private static int brokerPort;
  private static String bootstrap;

  private final String cpus = System.getProperty("scaleout.cpus", DEFAULT_CPUS);
  private final int events = Integer.getInteger("scaleout.events", 4_000_000);
  private final int tenants = Integer.getInteger("scaleout.tenants", 60);
  private final int warmupSeconds = Integer.getInteger("scaleout.warmup.s", 90);
  private final int measureSeconds = Integer.getInteger("scaleout.measure.s", 45);
  private final String routerImage =
      System.getProperty("scaleout.router.image", "changecast/streams-router:0.1.0-SNAPSHOT");
  private final String kafkaImage =
      System.getProperty("scaleout.kafka.image", "changecast/kafka:4.3.1");

  @BeforeAll
  static void noteStart() {
    LOG.info("Scale-out run {}", RUN);
  }

  @AfterAll
  static void removeContainers() {
    Shell.Result ps = docker("ps", "-aq", "--filter", "name=" + RUN + "-");
    for (String id : ps.out().split("\\s+")) {
      if (!id.isBlank()) {
        docker("rm", "-f", id);
      }
    }
    docker("network", "rm", NET);
  }

  @Test
  void throughputWithOneTwoAndThreeRoutersAndExactIdsAfterASigkill() throws Exception {
    startBroker();
    Map<String, Map<String, List<Long>>> expected = fillBacklog();
    Map<TopicPartition, Long> end = endOffsets();
    long total = end.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("Backlog: {} records on {} partitions", total, end.size());

    List<Result> results = new ArrayList<>();
    for (int instances = 1; instances <= 3; instances++) {
      results.add(run(instances, expected, end, total));
      writeResults(results);
    }
    double one = results.get(0).rate();
    for (Result r : results) {
      LOG.info(
          "{} instance(s): {} events/s, efficiency {}",
          r.instances(),
          Math.round(r.rate()),
          String.format(Locale.ROOT, "%.2f", r.rate() / (one * r.instances())));
    }
    for (Result r : results.subList(1, 3)) {
      assertThat(r.check()).as("ids after the SIGKILL, %d instances", r.instances()).isEmpty();
    }
  }

  private record Result(
      int instances,
      double rate,
      List<Double> subRates,
      double brokerCpu,
      double routersCpu,
      String loadBefore,
      String loadAfter,
      String killed,
      Map<String, String> check,
      long checkedEvents) {}

  private Result run(
      int instances,
      Map<String, Map<String, List<Long>>> expected,
      Map<TopicPartition, Long> end,
      long total)
      throws Exception {
    String app = RUN + "-k" + instances;
    String eventsTopic = "i19.events.k" + instances;
    createTopics(Map.of(eventsTopic, 6, "i19.dlq.k" + instances, 1));
    List<String> routers = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      String name = app + "-router-" + i;
      routers.add(name);
      docker(
              "run",
              "-d",
              "--name",
              name,
              "--network",
              NET,
              "--cpus",
              cpus,
              "-m",
              "768m",
              "-e",
              "CHANGECAST_ROUTER_BOOTSTRAP_SERVERS=" + BROKER + ":9092",
              "-e",
              "CHANGECAST_ROUTER_APPLICATION_ID=" + app,
              "-e",
              "CHANGECAST_ROUTER_STATE_DIR=/tmp/router-state",
              "-e",
              "CHANGECAST_ROUTER_EVENTS_TOPIC=" + eventsTopic,
              "-e",
              "CHANGECAST_ROUTER_DLQ_TOPIC=i19.dlq.k" + instances,
              "-e",
              "CHANGECAST_ROUTER_INGEST_TOPIC=i19.ingest.k" + instances,
              "-e",
              "CHANGECAST_ROUTER_TENANT_STRATEGY=field:tenantId",
              "-e",
              "CHANGECAST_ROUTER_RAW_PARTITIONS=" + PARTITIONS,
              "-e",
              "CHANGECAST_ROUTER_METRICS_PORT=-1",
              "-e",
              "CHANGECAST_ROUTER_STREAMS_GROUP_INSTANCE_ID=" + name,
              "-e",
              "CHANGECAST_ROUTER_STREAMS_SESSION_TIMEOUT_MS=10000",
              routerImage)
          .orThrow();
    }
    String loadBefore = load();
    // warm-up: from the group's first commit
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    while (committed(app, end.keySet()) == 0) {
      assertThat(Instant.now()).as("first commit of %s", app).isBefore(deadline);
      Thread.sleep(500); // polling the broker for the group's first commit
    }
    LOG.info("{}: first commit; warming up {} s", app, warmupSeconds);
    Instant warmEnd = Instant.now().plusSeconds(warmupSeconds);
    while (Instant.now().isBefore(warmEnd)) {
      Thread.sleep(1000);
    }
    CpuSampler cpu = new CpuSampler(BROKER, routers);
    cpu.start();
    List<long[]> samples = new ArrayList<>(); // {nanos, committed}
    long start = System.nanoTime();
    long until = start + Duration.ofSeconds(measureSeconds).toNanos();
    while (System.nanoTime() < until) {
      samples.add(new long[] {System.nanoTime(), committed(app, end.keySet())});
      Thread.sleep(2000);
    }
    samples.add(new long[] {System.nanoTime(), committed(app, end.keySet())});
    cpu.stop();
    Map<TopicPartition, OffsetAndMetadata> atEnd = committedOffsets(app);
    long minLeft =
        end.entrySet().stream()
            .mapToLong(
                e ->
                    e.getValue()
                        - (atEnd.get(e.getKey()) == null ? 0 : atEnd.get(e.getKey()).offset()))
            .min()
            .orElse(0);
    long[] first = samples.get(0);
    long[] last = samples.get(samples.size() - 1);
    assertThat(minLeft)
        .as("records left in every raw partition at the end of the window (%s)", app)
        .isPositive();
    double rate = (last[1] - first[1]) / ((last[0] - first[0]) / 1e9);
    List<Double> subRates = new ArrayList<>();
    int thirds = (samples.size() - 1) / 3;
    for (int i = 0; i < 3 && thirds > 0; i++) {
      long[] a = samples.get(i * thirds);
      long[] b = samples.get((i + 1) * thirds);
      subRates.add((b[1] - a[1]) / ((b[0] - a[0]) / 1e9));
    }
    String loadAfter = load();
    LOG.info(
        "{}: {} events/s over {} s (thirds {})", app, Math.round(rate), measureSeconds, subRates);

    String killed = "";
    Map<String, String> check = Map.of();
    long checked = 0;
    if (instances > 1) {
      killed = routers.get(instances - 1);
      String victim = killed;
      docker("kill", "--signal", "KILL", victim).orThrow();
      long at = committed(app, end.keySet());
      LOG.info("{}: SIGKILLed {} at {} committed", app, killed, at);
      assertThat(at).as("backlog left when %s was killed", victim).isLessThan(total);
      killed = killed.substring(killed.lastIndexOf("-k") + 1) + " at " + at + " of " + total;
      docker("start", victim).orThrow();
      Instant drained = Instant.now().plus(Duration.ofMinutes(15));
      while (committed(app, end.keySet()) < total) {
        assertThat(Instant.now()).as("backlog drained by %s", app).isBefore(drained);
        Thread.sleep(2000);
      }
      Checked c = check(eventsTopic, expected);
      check = c.problems();
      checked = c.events();
      LOG.info(
          "{}: checked {} events of {} tenants, problems {}", app, checked, expected.size(), check);
    }
    for (String router : routers) {
      docker("rm", "-f", router);
    }
    return new Result(
        instances,
        rate,
        subRates,
        cpu.mean(BROKER),
        cpu.meanOthers(BROKER),
        loadBefore,
        loadAfter,
        killed,
        check,
        checked);
  }

  // ---- broker and backlog

  private void startBroker() throws Exception {
    docker("network", "create", NET).orThrow();
    try (ServerSocket socket = new ServerSocket(0)) {
      brokerPort = socket.getLocalPort();
    }
    docker(
            "run",
            "-d",
            "--name",
            BROKER,
            "--network",
            NET,
            "-p",
            "127.0.0.1:" + brokerPort + ":29092",
            "-e",
            "KAFKA_NODE_ID=1",
            "-e",
            "KAFKA_PROCESS_ROLES=broker,controller",
            "-e",
            "KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093,EXTERNAL://:29092",
            "-e",
            "KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://"
                + BROKER
                + ":9092,EXTERNAL://127.0.0.1:"
                + brokerPort,
            "-e",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT",
            "-e",
            "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER",
            "-e",
            "KAFKA_INTER_BROKER_LISTENER_NAME=PLAINTEXT",
            "-e",
            "KAFKA_CONTROLLER_QUORUM_VOTERS=1@" + BROKER + ":9093",
            "-e",
            "KAFKA_LOG_DIRS=/tmp/kafka-data",
            "-e",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1",
            "-e",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=1",
            "-e",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=1",
            "-e",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR=1",
            "-e",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR=1",
            "-e",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0",
            "-e",
            "KAFKA_NUM_PARTITIONS=1",
            kafkaImage)
        .orThrow();
    bootstrap = "127.0.0.1:" + brokerPort;
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    while (true) {
      try (Admin admin = admin()) {
        admin.listTopics().names().get();
        return;
      } catch (ExecutionException e) {
        assertThat(Instant.now()).as("broker up").isBefore(deadline);
        Thread.sleep(1000);
      }
    }
  }

  /**
   * Writes the backlog, keyed by tenant as the connector's TenantHeader with key=true would:
   * inserts, updates with post-image and deletes with pre-image of each tenant's documents,
   * positions 1..events (in the resume token and the cluster time). Returns per tenant and topic
   * the positions in source order.
   */
  private Map<String, Map<String, List<Long>>> fillBacklog() throws Exception {
    Map<String, Integer> topics = new LinkedHashMap<>();
    TOPICS.forEach(t -> topics.put(t, PARTITIONS));
    createTopics(topics);
    Map<String, Map<String, List<Long>>> expected = new TreeMap<>();
    java.util.Random random = new java.util.Random(19);
    Map<String, List<Integer>> live = new HashMap<>();
    int documents = 0;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (long position = 1; position <= events; position++) {
        String tenant = "tenant-" + random.nextInt(tenants);
        String topic = TOPICS.get(random.nextInt(TOPICS.size()));
        String coll = topic.substring(topic.lastIndexOf('.') + 1);
        List<Integer> docs = live.computeIfAbsent(tenant + "|" + coll, k -> new ArrayList<>());
        String head =
            "{\"_id\": {\"_data\": \"8265%016X2B022C0100296E5A1004\"}, \"clusterTime\":"
                    .formatted(position)
                + " {\"$timestamp\": {\"t\": %d, \"i\": %d}}, \"ns\": {\"db\": \"app\", \"coll\": \"%s\"}, "
                    .formatted(BASE_SECONDS + position / 1000, position % 1000 + 1, coll);
        String value;
        int roll = random.nextInt(10);
        if (docs.isEmpty() || roll < 4) {
          int id = ++documents;
          docs.add(id);
          value =
              head
                  + "\"operationType\": \"insert\", \"documentKey\": {\"_id\": %d}, \"fullDocument\": %s}"
                      .formatted(id, document(id, tenant, position));
        } else if (roll < 8) {
          int id = docs.get(random.nextInt(docs.size()));
          value =
              head
                  + "\"operationType\": \"update\", \"documentKey\": {\"_id\": %d}, \"fullDocument\": %s, \"updateDescription\": {\"updatedFields\": {\"total\": %d}, \"removedFields\": []}}"
                      .formatted(id, document(id, tenant, position), position);
        } else {
          int id = docs.remove(random.nextInt(docs.size()));
          value =
              head
                  + "\"operationType\": \"delete\", \"documentKey\": {\"_id\": %d}, \"fullDocumentBeforeChange\": %s}"
                      .formatted(id, document(id, tenant, position));
        }
        producer.send(new ProducerRecord<>(topic, tenant, value));
        expected
            .computeIfAbsent(tenant, t -> new TreeMap<>())
            .computeIfAbsent(coll, c -> new ArrayList<>())
            .add(position);
      }
      producer.flush();
    }
    return expected;
  }

  private static String document(int id, String tenant, long position) {
    return "{\"_id\": %d, \"tenantId\": \"%s\", \"total\": %d, \"status\": \"open\", \"note\": \"scale-out backlog record\"}"
        .formatted(id, tenant, position);
  }

  // ---- the checker

  private record Checked(long events, Map<String, String> problems) {}

  private static Checked check(String eventsTopic, Map<String, Map<String, List<Long>>> expected)
      throws IOException {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    Map<String, List<Long>> ids = new HashMap<>();
    Map<String, Map<String, List<Long>>> positions = new HashMap<>();
    long count = 0;
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(eventsTopic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          JsonNode envelope = JSON.readTree(record.value());
          String tenant = envelope.get("tenant").asText();
          ids.computeIfAbsent(tenant, t -> new ArrayList<>())
              .add(Long.parseLong(envelope.get("id").asText()));
          JsonNode time = envelope.get("clusterTime");
          long position =
              (time.get("t").asLong() - BASE_SECONDS) * 1000 + time.get("i").asLong() - 1;
          positions
              .computeIfAbsent(tenant, t -> new HashMap<>())
              .computeIfAbsent(envelope.get("collection").asText(), c -> new ArrayList<>())
              .add(position);
          count++;
        }
      }
    }
    Map<String, String> problems = new TreeMap<>();
    for (var entry : expected.entrySet()) {
      String tenant = entry.getKey();
      int n = entry.getValue().values().stream().mapToInt(List::size).sum();
      List<Long> got = ids.getOrDefault(tenant, List.of());
      boolean oneToN = got.equals(java.util.stream.LongStream.rangeClosed(1, n).boxed().toList());
      boolean order = entry.getValue().equals(positions.getOrDefault(tenant, Map.of()));
      if (!oneToN || !order) {
        problems.put(
            tenant,
            "N=%d, %d envelopes, ids exactly 1..N: %s, source order: %s"
                .formatted(n, got.size(), oneToN, order));
      }
    }
    if (!ids.keySet().equals(expected.keySet())) {
      problems.put("(tenants)", "routed " + ids.keySet().size() + " of " + expected.size());
    }
    return new Checked(count, problems);
  }

  // ---- helpers

  private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group)
      throws Exception {
    try (Admin admin = admin()) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }
  }

  private static long committed(String group, java.util.Set<TopicPartition> raw) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets = committedOffsets(group);
    return raw.stream()
        .map(offsets::get)
        .filter(o -> o != null)
        .mapToLong(OffsetAndMetadata::offset)
        .sum();
  }

  private static Map<TopicPartition, Long> endOffsets() throws Exception {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (String topic : TOPICS) {
        for (int p = 0; p < PARTITIONS; p++) {
          specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
      }
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(specs).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
      return end;
    }
  }

  private static void createTopics(Map<String, Integer> topics) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(
              topics.entrySet().stream()
                  .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1))
                  .toList())
          .all()
          .get();
    }
  }

  private static Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  private static String load() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).strip();
  }

  private static Shell.Result docker(String... args) {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    return Shell.run(DIR, DOCKER, command);
  }

  /** {@code docker stats} samples of the broker and the routers, in a thread of its own. */
  private static final class CpuSampler {
    private final List<String> names = new ArrayList<>();
    private final Map<String, List<Double>> samples = new HashMap<>();
    private volatile boolean running = true;
    private Thread thread;

    CpuSampler(String broker, List<String> routers) {
      names.add(broker);
      names.addAll(routers);
    }

    void start() {
      thread =
          new Thread(
              () -> {
                while (running) {
                  List<String> args =
                      new ArrayList<>(
                          List.of("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}}"));
                  args.addAll(names);
                  Shell.Result r = docker(args.toArray(String[]::new));
                  for (String line : r.out().split("\\R")) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length == 2 && parts[1].endsWith("%")) {
                      samples
                          .computeIfAbsent(parts[0], k -> new ArrayList<>())
                          .add(Double.parseDouble(parts[1].replace("%", "")));
                    }
                  }
                }
              },
              "cpu-sampler");
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    /** Mean CPU of {@code name} in cores (docker's percent / 100). */
    double mean(String name) {
      return samples.getOrDefault(name, List.of()).stream()
              .mapToDouble(Double::doubleValue)
              .average()
              .orElse(Double.NaN)
          / 100;
    }

    /** Sum of the other containers' mean CPU, in cores. */
    double meanOthers(String name) {
      return names.stream().filter(n -> !n.equals(name)).mapToDouble(this::mean).sum();
    }
  }

  // ---- results

  private void writeResults(List<Result> results) throws IOException {
    Path dir = Path.of(System.getProperty("scaleout.results", "../bench/results/issue19"));
    Files.createDirectories(dir);
    double one = results.get(0).rate();
    StringBuilder md = new StringBuilder();
    md.append("# Scale-out on containers (issue 19)\n\n")
        .append("Run ")
        .append(RUN)
        .append(" at ")
        .append(Instant.now())
        .append(": ")
        .append(events)
        .append(" backlog events of ")
        .append(tenants)
        .append(" tenants on ")
        .append(TOPICS.size())
        .append(" raw topics x ")
        .append(PARTITIONS)
        .append(" partitions keyed by tenant; each router `--cpus ")
        .append(cpus)
        .append(" -m 768m` (")
        .append(routerImage)
        .append("), broker (")
        .append(kafkaImage)
        .append(") unlimited; warm-up ")
        .append(warmupSeconds)
        .append(" s after the group's first commit, then ")
        .append(measureSeconds)
        .append(" s measured (committed raw offsets). Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores.\n\n")
        .append(
            "| routers | events/s | efficiency | thirds of the window (events/s) | broker CPU (cores) | routers CPU (cores) | load before / after | SIGKILL | checker |\n")
        .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Result r : results) {
      md.append("| ")
          .append(r.instances())
          .append(" | ")
          .append(Math.round(r.rate()))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", r.rate() / (one * r.instances())))
          .append(" | ")
          .append(
              r.subRates().stream()
                  .map(x -> Long.toString(Math.round(x)))
                  .collect(Collectors.joining(", ")))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", r.brokerCpu()))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", r.routersCpu()))
          .append(" | ")
          .append(r.loadBefore().split(" ")[0])
          .append(" / ")
          .append(r.loadAfter().split(" ")[0])
          .append(" | ")
          .append(
              r.killed().isEmpty() ? "-" : r.killed().substring(r.killed().lastIndexOf("-k") + 1))
          .append(" | ")
          .append(
              r.killed().isEmpty()
                  ? "-"
                  : r.check().isEmpty()
                      ? "all tenants 1..N exactly once, source order ("
                          + r.checkedEvents()
                          + " events)"
                      : "FAILED " + r.check())
          .append(" |\n");
    }
    Files.writeString(dir.resolve("scale-out.md"), md.toString());
  }
}
