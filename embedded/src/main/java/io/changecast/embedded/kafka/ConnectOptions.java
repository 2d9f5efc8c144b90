package io.changecast.embedded.kafka;

import java.util.Map;

/**
 * How to start an {@link EmbeddedConnect} worker.
 *
 * @param bootstrapServers the Kafka cluster holding the worker's config, offset and status topics
 * @param host the address the REST API binds to and advertises (loopback by default)
 * @param restPort the REST port; {@code 0} picks a free port
 * @param groupId the Connect cluster's group id; it also prefixes the internal topic names
 * @param workerOverrides worker properties applied last, over the embedded defaults
 */
public record ConnectOptions(
    String bootstrapServers,
    String host,
    int restPort,
    String groupId,
    Map<String, String> workerOverrides) {

  /** Default group id of the embedded Connect cluster. */
  public static final String DEFAULT_GROUP_ID = "changecast-connect";

  /** Loopback, a free REST port, group {@value #DEFAULT_GROUP_ID}, no overrides. */
  public static ConnectOptions defaults(String bootstrapServers) {
    return new ConnectOptions(bootstrapServers, "127.0.0.1", 0, DEFAULT_GROUP_ID, Map.of());
  }

  public ConnectOptions {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must not be blank");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (restPort < 0 || restPort > 65535) {
      throw new IllegalArgumentException("restPort must be 0..65535, was " + restPort);
    }
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException("groupId must not be blank");
    }
    workerOverrides = workerOverrides == null ? Map.of() : Map.copyOf(workerOverrides);
  }

  public ConnectOptions withRestPort(int port) {
    return new ConnectOptions(bootstrapServers, host, port, groupId, workerOverrides);
  }

  public ConnectOptions withGroupId(String id) {
    return new ConnectOptions(bootstrapServers, host, restPort, id, workerOverrides);
  }

  public ConnectOptions withWorkerOverrides(Map<String, String> overrides) {
    return new ConnectOptions(bootstrapServers, host, restPort, groupId, overrides);
  }
}
