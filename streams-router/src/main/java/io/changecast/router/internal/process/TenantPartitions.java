package io.changecast.router.internal.process;

import io.changecast.contract.RawPartitions;
import java.util.Optional;

/**
 * The per-record check of tenant-partitioned raw topics ({@link RawPartitions}): with {@code
 * raw.partitions} N above 1, a tenant's records must all arrive in partition {@code
 * partitionOf(tenant, N)}, so that one task sequences each tenant. A record elsewhere (no key, a
 * key other than its tenant, another partitioner, a topic with another partition count) would let
 * two tasks number the same tenant: it is dead-lettered before any id is spent.
 *
 * @param partitions the router's {@code raw.partitions}
 */
public record TenantPartitions(int partitions) {

  /**
   * Why a record of {@code tenant} with {@code key} read from {@code partition} of {@code topic}
   * breaks the partitioning, or empty when it keeps it (always, with one partition).
   */
  public Optional<String> check(String tenant, String key, String topic, int partition) {
    if (partitions <= 1) {
      return Optional.empty();
    }
    int expected = RawPartitions.partitionOf(tenant, partitions);
    if (expected == partition) {
      return Optional.empty();
    }
    String where =
        "tenant "
            + tenant
            + " belongs to partition "
            + expected
            + " of "
            + RawPartitions.CONFIG_KEY
            + "="
            + partitions
            + ", but the record came from partition "
            + partition
            + " of "
            + topic;
    return Optional.of(
        key == null
            ? where
                + ": it has no key; key raw records by tenant (TenantHeader key=true) or keep one"
                + " partition"
            : where + " (key " + abbreviate(key) + "); the key must be the tenant");
  }

  private static String abbreviate(String key) {
    return key.length() <= 80 ? key : key.substring(0, 80) + "...";
  }
}
