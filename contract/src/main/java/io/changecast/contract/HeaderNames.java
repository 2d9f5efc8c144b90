package io.changecast.contract;

/**
 * The Kafka record headers the modules write and read, named once: the source connector writes the
 * {@code changecast.source.*} and {@value #CONTROL} headers on the raw topics, the router reads
 * them and writes the {@value #ERROR_PREFIX}{@code *} headers on dead letters.
 */
public final class HeaderNames {

  /** The source cluster's name ({@code changecast.cluster.name}), on every raw record. */
  public static final String SOURCE_CLUSTER = "changecast.source.cluster";

  /** The database of a raw record. */
  public static final String SOURCE_DB = "changecast.source.db";

  /** The collection of a raw record. */
  public static final String SOURCE_COLL = "changecast.source.coll";

  /** Marks a control record on a raw topic; its value is one of {@link ControlTypes}. */
  public static final String CONTROL = "changecast.control";

  /** The tenant, as the connector's {@code TenantHeader} transform sets it by default. */
  public static final String TENANT = "changecast.tenant";

  /** The prefix of the headers a dead letter carries its error in. */
  public static final String ERROR_PREFIX = "changecast.error.";

  private HeaderNames() {}
}
