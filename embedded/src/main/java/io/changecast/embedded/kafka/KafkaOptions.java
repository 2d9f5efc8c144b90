package io.changecast.embedded.kafka;

import java.nio.file.Path;

/**
 * How to start an {@link EmbeddedKafka} broker.
 *
 * @param host the address the broker binds to and advertises (loopback by default)
 * @param port the client port; {@code 0} picks a free port
 * @param dataDir the log and metadata directory; {@code null} means a fresh temporary directory
 *     that is deleted on close. An existing, already formatted directory is reused, so topics and
 *     committed offsets survive a restart.
 */
public record KafkaOptions(String host, int port, Path dataDir) {

  /** Loopback address, a free port and a fresh temporary data directory. */
  public static KafkaOptions defaults() {
    return new KafkaOptions("127.0.0.1", 0, null);
  }

  public KafkaOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
  }

  public KafkaOptions withPort(int port) {
    return new KafkaOptions(host, port, dataDir);
  }

  public KafkaOptions withDataDir(Path dir) {
    return new KafkaOptions(host, port, dir);
  }
}
