package io.changecast.contract;

/**
 * The control messages between the modules: the types of the source connector's control records
 * (header {@link HeaderNames#CONTROL}) and the router's reset envelope the edge recognises.
 */
public final class ControlTypes {

  /** Control record: the change stream could not resume, history of some namespaces is lost. */
  public static final String HISTORY_LOST = "history-lost";

  /** Control record: the source is alive up to a cluster time. */
  public static final String HEARTBEAT = "heartbeat";

  /** The envelope {@code type} of the router's reset of a tenant's stream. */
  public static final String RESET = "changecast.reset";

  /** The reset reason when the source lost change-stream history. */
  public static final String SOURCE_HISTORY_LOST = "source-history-lost";

  private ControlTypes() {}
}
