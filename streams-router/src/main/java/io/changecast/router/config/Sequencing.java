package io.changecast.router.config;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where the router assigns per-tenant ids (config key {@value RouterConfig#SEQUENCING}).
 *
 * <p>{@link #DIRECT} (the default) assigns them in the task that parses the raw topics, in the same
 * transaction: an event crosses one exactly-once commit. It needs every raw topic and the ingest
 * topic to have one partition (the connector configs create raw topics that way), so one task, on
 * one router instance at a time, routes everything; further instances are standbys.
 *
 * <p>{@link #BY_TENANT} repartitions by tenant first (DESIGN.md's topology): raw topics may have
 * several partitions and the sequencing work spreads over {@code events.partitions} tasks, at the
 * price of a second commit per event.
 */
public enum Sequencing {
  DIRECT("direct"),
  BY_TENANT("by-tenant");

  private final String configValue;

  Sequencing(String configValue) {
    this.configValue = configValue;
  }

  /** The value of {@value RouterConfig#SEQUENCING} that selects this. */
  public String configValue() {
    return configValue;
  }

  /** The sequencing named {@code value}, or {@code null} when none is. */
  static Sequencing fromConfigValue(String value) {
    String wanted = value == null ? "" : value.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(s -> s.configValue.equals(wanted))
        .findFirst()
        .orElse(null);
  }
}
