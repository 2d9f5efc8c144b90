package io.changecast.contract;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Tenant-partitioned raw topics, defined once for the connector's transform, the config CLI and the
 * router: a raw record is keyed by its tenant (UTF-8 text) and lands in partition {@link
 * #partitionOf partitionOf(tenant, N)} of a topic with N partitions, the partition Kafka's default
 * partitioner picks for that key (murmur2 of the key bytes). Every raw topic has the same N, so
 * partition p of every raw topic holds the same tenants and meets in the router's task p.
 *
 * <p>Only strategies that know the tenant at the source can key records: {@code database} (the
 * field {@value #DATABASE_FIELD}), {@code collection-prefix:<separator>} (the field {@value
 * #COLLECTION_FIELD}, cut at the separator by {@link #collectionPrefix}) and {@code field:<path>}
 * with pre-images for deletes. Without pre-images a delete names no tenant, so {@code field:}
 * topics keep one partition.
 *
 * <p>Namespace-wide events ({@link #NAMESPACE_WIDE_OPERATIONS}, and the connector's history-lost
 * control records) concern every tenant of a namespace, whichever partition holds it: Changecast's
 * source connector, told N by {@link #CONNECTOR_CONFIG_KEY}, writes each of them once to every
 * partition 0..N-1 of its raw topic, so that every router task resets its own tenants.
 */
public final class RawPartitions {

  /** The router config key (and CLI option {@code --raw-partitions}) naming N. */
  public static final String CONFIG_KEY = "raw.partitions";

  /**
   * The Changecast source connector's key naming N: it writes each namespace-wide event once to
   * each of the N partitions of its raw topic. Must equal the router's {@link #CONFIG_KEY} and the
   * raw topics' partition count ({@code changecast-connect validate --raw-partitions N} checks).
   */
  public static final String CONNECTOR_CONFIG_KEY = "changecast.raw.partitions";

  /** N when nothing is configured: one partition per raw topic, one router task. */
  public static final int DEFAULT = 1;

  /** The largest N the router and the connector accept. */
  public static final int MAX = 10_000;

  /**
   * The MongoDB {@code operationType}s of change events that concern a whole namespace rather than
   * one document, so no tenant key places them: {@code drop}, {@code rename}, {@code dropDatabase}
   * and {@code invalidate}.
   */
  public static final Set<String> NAMESPACE_WIDE_OPERATIONS =
      Set.of("drop", "rename", "dropDatabase", "invalidate");

  /** The change event field naming the database (the tenant under {@code database}). */
  public static final String DATABASE_FIELD = "ns.db";

  /** The change event field naming the collection (cut under {@code collection-prefix}). */
  public static final String COLLECTION_FIELD = "ns.coll";

  private RawPartitions() {}

  /**
   * The partition of {@code tenant} among {@code partitions}: Kafka's default partitioner for the
   * UTF-8 key {@code tenant} ({@code toPositive(murmur2(key)) % partitions}).
   */
  public static int partitionOf(String tenant, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, found " + partitions);
    }
    return toPositive(murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * The tenant of collection {@code collection} under {@code collection-prefix:<separator>}: the
   * part before the first separator, empty when the name does not start with a non-empty prefix
   * followed by the separator.
   */
  public static Optional<String> collectionPrefix(String collection, String separator) {
    if (collection == null || separator == null || separator.isEmpty()) {
      return Optional.empty();
    }
    int at = collection.indexOf(separator);
    return at <= 0 ? Optional.empty() : Optional.of(collection.substring(0, at));
  }

  private static int toPositive(int number) {
    return number & 0x7fffffff;
  }

  /** Kafka's {@code Utils.murmur2} (seed 0x9747b28c), the hash of its default partitioner. */
  static int murmur2(byte[] data) {
    int length = data.length;
    int seed = 0x9747b28c;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = seed ^ length;
    int length4 = length / 4;
    for (int i = 0; i < length4; i++) {
      final int i4 = i * 4;
      int k =
          (data[i4] & 0xff)
              + ((data[i4 + 1] & 0xff) << 8)
              + ((data[i4 + 2] & 0xff) << 16)
              + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int index = length4 * 4;
    switch (length % 4) {
      case 3:
        h ^= (data[index + 2] & 0xff) << 16;
      // fall through
      case 2:
        h ^= (data[index + 1] & 0xff) << 8;
      // fall through
      case 1:
        h ^= data[index] & 0xff;
        h *= m;
      // fall through
      default:
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }
}
