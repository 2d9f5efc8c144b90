package io.changecast.embedded.kafka.internal;

import java.util.Map;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.runtime.rest.RestServer;

/**
 * Exposes how {@link ConnectDistributed} builds its config and herder (Kafka-backed config, offset
 * and status stores), without {@code startConnect}'s {@code Exit.exit} on failure and JVM shutdown
 * hook, which do not belong in an embedding process.
 */
public final class ConnectWorkerFactory extends ConnectDistributed {

  public DistributedConfig config(Map<String, String> workerProps) {
    return createConfig(workerProps);
  }

  public DistributedHerder herder(
      DistributedConfig config,
      String workerId,
      Plugins plugins,
      ConnectorClientConfigOverridePolicy policy,
      RestServer restServer,
      RestClient restClient) {
    return createHerder(config, workerId, plugins, policy, restServer, restClient);
  }
}
