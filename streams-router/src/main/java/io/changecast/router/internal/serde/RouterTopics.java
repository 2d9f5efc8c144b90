package io.changecast.router.internal.serde;

import io.changecast.router.config.RouterConfig;
import io.changecast.router.event.Envelope;
import io.changecast.router.internal.parse.Pending;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The router's typed topic registry: every topic it reads or writes, with its serdes, declared
 * once.
 *
 * @param raw the connector's raw topics (a pattern): key and value are UTF-8 JSON strings
 * @param events the routed envelopes, keyed by tenant
 * @param dlq rejected records: original key and value, error headers
 * @param byTenant the internal repartition by tenant ({@code
 *     <application.id>-by-tenant-repartition})
 * @param ingest events posted by other systems (key tenant, value JSON); empty name: none
 * @param byTenantPartitions partitions of the repartition by tenant: they bound how many router
 *     instances share the sequencing work (the same number as {@code events.partitions})
 */
public record RouterTopics(
    RawTopics raw,
    Topic<String, Envelope> events,
    Topic<String, String> dlq,
    Topic<String, Pending> byTenant,
    Topic<String, String> ingest,
    int byTenantPartitions) {

  /** Name of the internal repartition by tenant (Kafka Streams prefixes and suffixes it). */
  public static final String BY_TENANT = "by-tenant";

  /** Name of the internal repartition of ingested events by tenant. */
  public static final String INGEST_BY_TENANT = "ingest-by-tenant";

  public static RouterTopics from(RouterConfig config) {
    Serde<String> strings = Serdes.String();
    return new RouterTopics(
        new RawTopics(config.rawTopics(), strings, strings),
        new Topic<>(config.eventsTopic(), strings, new EnvelopeSerde()),
        new Topic<>(config.dlqTopic(), strings, strings),
        new Topic<>(BY_TENANT, strings, new PendingSerde()),
        new Topic<>(config.ingestTopic(), strings, strings),
        config.eventsPartitions());
  }

  /**
   * The repartition by tenant, named so that its topic name stays stable. Its partition count is
   * set, not inherited from the raw topics (which have one partition to keep write order).
   */
  public Repartitioned<String, Pending> byTenantRepartitioned() {
    return byTenantRepartitioned(byTenant.name());
  }

  /**
   * The repartition of ingested events by tenant: the same partitioning as {@link
   * #byTenantRepartitioned()}, so both streams meet in the sequencing task of their tenant.
   */
  public Repartitioned<String, Pending> ingestByTenantRepartitioned() {
    return byTenantRepartitioned(INGEST_BY_TENANT);
  }

  private Repartitioned<String, Pending> byTenantRepartitioned(String name) {
    return Repartitioned.<String, Pending>as(name)
        .withNumberOfPartitions(byTenantPartitions)
        .withKeySerde(byTenant.keySerde())
        .withValueSerde(byTenant.valueSerde());
  }

  /**
   * The sources of {@link io.changecast.router.config.Sequencing#DIRECT} sequencing: the raw topics
   * and, when configured, the ingest topic, in one pattern so that they share one task (a named
   * topic next to a pattern in one subtopology breaks when a raw topic appears at run time).
   */
  public RawTopics directSources() {
    return ingest.name().isEmpty()
        ? raw
        : new RawTopics(
            java.util.regex.Pattern.compile(
                "(?:" + raw.pattern().pattern() + ")|" + Pattern.quote(ingest.name())),
            raw.keySerde(),
            raw.valueSerde());
  }

  /** Source topics selected by a pattern. */
  public record RawTopics(Pattern pattern, Serde<String> keySerde, Serde<String> valueSerde) {
    public Consumed<String, String> consumed(String processorName) {
      return Consumed.with(keySerde, valueSerde).withName(processorName);
    }
  }
}
