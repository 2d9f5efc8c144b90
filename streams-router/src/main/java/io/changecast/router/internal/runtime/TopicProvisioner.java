package io.changecast.router.internal.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the router's output topics when they are missing, and checks input partitioning. */
public final class TopicProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  private static final Duration LEADER_POLL = Duration.ofMillis(10);

  private TopicProvisioner() {}

  /**
   * Creates each of {@code names} that does not exist yet with {@code partitions} partitions and
   * replication factor {@code replicationFactor} (-1: the broker's default). Existing topics are
   * left as they are. Returns once every partition of the topics it created has a leader in the
   * broker's metadata: Kafka Streams' assignor meeting a just-created source topic it cannot see
   * yet fails the stream thread ({@code INCOMPLETE_SOURCE_TOPIC_METADATA}), and the replaced
   * thread's group member then holds the next rebalance for a whole session timeout.
   *
   * @throws KafkaException when the broker cannot be reached or refuses, or the leaders are not
   *     known, within {@code timeout}
   */
  public static void ensureTopics(
      Map<String, Object> adminConfig,
      List<String> names,
      int partitions,
      short replicationFactor,
      Duration timeout) {
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing =
          admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String name : names) {
        if (!existing.contains(name)) {
          missing.add(
              new NewTopic(
                  name,
                  Optional.of(partitions),
                  replicationFactor == -1 ? Optional.empty() : Optional.of(replicationFactor)));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          LOG.info("Created topic {} ({} partitions)", entry.getKey(), partitions);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitLeaders(admin, missing.stream().map(NewTopic::name).toList(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("Interrupted while creating topics " + names, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("Cannot create topics " + names + ": " + e.getMessage(), e);
    }
  }

  private static void awaitLeaders(Admin admin, List<String> names, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!led(admin, names, timeout)) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "no leader for every partition of " + names + " after " + timeout);
      }
      LockSupport.parkNanos(LEADER_POLL.toNanos());
    }
  }

  private static boolean led(Admin admin, List<String> names, Duration timeout)
      throws InterruptedException {
    try {
      return admin
          .describeTopics(names)
          .allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .values()
          .stream()
          .flatMap(description -> description.partitions().stream())
          .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
    } catch (ExecutionException | TimeoutException e) {
      return false; // not in the broker's metadata yet: ask again until the deadline
    }
  }

  /**
   * The existing topics matching {@code pattern}, or named in {@code names}, with their partition
   * counts (sorted by name).
   *
   * @throws KafkaException when the broker cannot be reached or refuses, within {@code timeout}
   */
  public static Map<String, Integer> partitionCounts(
      Map<String, Object> adminConfig, Pattern pattern, Set<String> names, Duration timeout) {
    try (Admin admin = Admin.create(adminConfig)) {
      List<String> matching =
          admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
              .filter(name -> pattern.matcher(name).matches() || names.contains(name))
              .toList();
      Map<String, Integer> counts = new TreeMap<>();
      if (matching.isEmpty()) {
        return counts;
      }
      admin
          .describeTopics(matching)
          .allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((name, description) -> counts.put(name, description.partitions().size()));
      return counts;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("Interrupted while describing topics " + pattern, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("Cannot describe topics " + pattern + ": " + e.getMessage(), e);
    }
  }
}
