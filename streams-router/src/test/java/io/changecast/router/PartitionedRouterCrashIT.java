package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.changecast.testsupport.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routers that share the work, under crashes, on a real broker: raw topics with {@value
 * #PARTITIONS} partitions keyed by tenant ({@code raw.partitions=3}), two router JVMs sharing the
 * three tasks, one of them SIGKILLed at random points and restarted while the other keeps routing;
 * ~10% connector replays. A {@code read_committed} reader must then find each tenant's ids exactly
 * 1..N, in source order, nothing lost or repeated, and no record dead-lettered (every record was in
 * its tenant's partition).
 *
 * <p>Kills: {@code -Dchangecast.crash.partitioned.kills} (3; the {@code chaos} profile: 20); seed:
 * {@code -Dchangecast.crash.seed}.
 */
class PartitionedRouterCrashIT {

  private static final Logger LOG = LoggerFactory.getLogger(PartitionedRouterCrashIT.class);

  private static final int PARTITIONS = 3;
  private static final int EVENTS = 12_000;
  private static final int TENANTS = 20;

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @Test
  void twoRoutersOneSigkilledKeepEveryTenantsIdsGaplessInSourceOrder() throws Exception {
    int kills = Integer.getInteger("changecast.crash.partitioned.kills", 3);
    long seed = Long.getLong("changecast.crash.seed", System.nanoTime());
    LOG.info("Partitioned crash test: {} kills, seed {}", kills, seed);
    Random random = new Random(seed);

    String run = KafkaBroker.unique("pcrash");
    Path dir = Files.createDirectories(Path.of("target", "crash-it", run));
    String eventsTopic = run + ".events";
    String dlqTopic = run + ".dlq";
    for (String collection : SourceEvents.COLLECTIONS) {
      kafka.createTopic(SourceEvents.topic(run, collection), PARTITIONS);
    }
    kafka.createTopic(run + ".ingest", PARTITIONS);
    kafka.createTopic(eventsTopic, 6);
    kafka.createTopic(dlqTopic, 1);
    Path[] configs = {writeConfig(dir, run, "a"), writeConfig(dir, run, "b")};
    Path[] logs = {dir.resolve("router-a.log"), dir.resolve("router-b.log")};

    List<SourceEvents.Change> changes = SourceEvents.generate(run, EVENTS, TENANTS, seed);
    try (CommittedReader reader =
            new CommittedReader(kafka.bootstrapServers(), List.of(eventsTopic, dlqTopic));
        RouterProcess steady = RouterProcess.start(configs[0], logs[0], "steady instance")) {
      AtomicLong replayed = new AtomicLong();
      CompletableFuture<Void> producing =
          CompletableFuture.runAsync(
              () ->
                  RouterCrashIT.produce(
                      kafka,
                      changes,
                      new Random(seed + 1),
                      () -> reader.count(eventsTopic),
                      replayed,
                      true));

      long maxStep = Math.max(2, (long) (EVENTS * 0.7 / kills));
      for (int kill = 1; kill <= kills; kill++) {
        try (RouterProcess victim = RouterProcess.start(configs[1], logs[1], "life " + kill)) {
          long base = reader.count(eventsTopic);
          long step = 1 + (long) (random.nextDouble() * maxStep);
          await("life " + kill + ": " + step + " more events routed")
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofMillis(2))
              .until(() -> reader.count(eventsTopic) >= base + step || !victim.isAlive());
          assertThat(victim.isAlive()).as("victim alive before kill %d", kill).isTrue();
          assertThat(steady.isAlive()).as("steady instance alive (see %s)", logs[0]).isTrue();
          assertThat(victim.kill()).isEqualTo(RouterProcess.SIGKILL_STATUS);
          LOG.info("Kill {}/{} after {} routed events", kill, kills, reader.count(eventsTopic));
        }
      }
      assertThat(reader.count(eventsTopic))
          .as("the kills happened before the history was routed")
          .isLessThan(EVENTS);

      try (RouterProcess last = RouterProcess.start(configs[1], logs[1], "final life")) {
        producing.get();
        await("all raw input processed and committed")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> RouterCrashIT.rawInputCommitted(kafka, run, PARTITIONS));
        await("all changes routed")
            .atMost(Duration.ofSeconds(30))
            .until(() -> reader.count(eventsTopic) >= EVENTS);
      }
      await("reader caught up").atMost(Duration.ofMinutes(1)).until(reader::caughtUp);

      LOG.info(
          "{} events, {} dead letters, {} replayed raw records",
          reader.count(eventsTopic),
          reader.count(dlqTopic),
          replayed.get());
      assertThat(replayed.get()).as("replayed raw records").isEqualTo(EVENTS / 10);
      RouterCrashIT.assertEveryTenantGaplessInSourceOrder(changes, reader.records(), eventsTopic);
      assertThat(reader.count(dlqTopic)).as("dead letters").isZero();
    }
  }

  private static Path writeConfig(Path dir, String run, String instance) throws IOException {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("application.id", run);
    p.setProperty("state.dir", dir.resolve("state-" + instance).toAbsolutePath().toString());
    p.setProperty("raw.topic.pattern", Pattern.quote(run + ".raw.") + ".+");
    p.setProperty("events.topic", run + ".events");
    p.setProperty("dlq.topic", run + ".dlq");
    p.setProperty("ingest.topic", run + ".ingest");
    p.setProperty("raw.partitions", Integer.toString(PARTITIONS));
    p.setProperty("streams.group.instance.id", run + "-router-" + instance);
    Path file = dir.resolve("router-" + instance + ".properties");
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, "PartitionedRouterCrashIT");
    }
    return file;
  }
}
