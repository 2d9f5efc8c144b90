package io.changecast.embedded.mongo;

/**
 * Options of an {@link EmbeddedMongo}.
 *
 * @param host the address to bind to (loopback by default)
 * @param port the port to listen on; {@code 0} picks a free port
 * @param historyLimit how many change events the server retains for change streams; a resume from a
 *     point older than that fails with error 286 {@code ChangeStreamHistoryLost}
 */
public record MongoOptions(String host, int port, int historyLimit) {

  /** The default number of retained change events. */
  public static final int DEFAULT_HISTORY_LIMIT = 10_000;

  public MongoOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    if (historyLimit < 1) {
      throw new IllegalArgumentException("historyLimit must be positive, was " + historyLimit);
    }
  }

  /** {@code 127.0.0.1}, a free port, {@value #DEFAULT_HISTORY_LIMIT} retained events. */
  public static MongoOptions defaults() {
    return new MongoOptions("127.0.0.1", 0, DEFAULT_HISTORY_LIMIT);
  }

  /** A copy listening on {@code port} ({@code 0} = a free port). */
  public MongoOptions withPort(int port) {
    return new MongoOptions(host, port, historyLimit);
  }

  /** A copy retaining {@code n} change events. */
  public MongoOptions withHistoryLimit(int n) {
    return new MongoOptions(host, port, n);
  }

  /** A copy binding to {@code host}. */
  public MongoOptions withHost(String host) {
    return new MongoOptions(host, port, historyLimit);
  }
}
