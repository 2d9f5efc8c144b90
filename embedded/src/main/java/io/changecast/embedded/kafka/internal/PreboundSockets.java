package io.changecast.embedded.kafka.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.server.ServerSocketFactory;

/**
 * Binds listener sockets before the broker's configuration is written, so that "port 0" resolves to
 * a real port without the race of probing for a free port and binding it later. The broker's socket
 * server then receives the already bound channel through {@link ServerSocketFactory}.
 *
 * <p>Channels handed to the broker are closed by the broker; {@link #close()} closes the rest.
 */
public final class PreboundSockets implements ServerSocketFactory, AutoCloseable {

  private final Map<String, ServerSocketChannel> unused = new HashMap<>();

  /** Binds a channel for {@code listenerName} on {@code host:port} and returns the bound port. */
  public synchronized int bind(String listenerName, String host, int port) throws IOException {
    ServerSocketChannel channel =
        ServerSocketFactory.INSTANCE.openServerSocket(
            listenerName, new InetSocketAddress(host, port), -1, -1);
    unused.put(key(listenerName), channel);
    return ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  @Override
  public synchronized ServerSocketChannel openServerSocket(
      String listenerName, InetSocketAddress address, int backlog, int recvBufferSize)
      throws IOException {
    ServerSocketChannel prebound = unused.remove(key(listenerName));
    if (prebound != null && prebound.isOpen()) {
      return prebound;
    }
    return ServerSocketFactory.INSTANCE.openServerSocket(
        listenerName, address, backlog, recvBufferSize);
  }

  @Override
  public synchronized void close() {
    for (ServerSocketChannel channel : unused.values()) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing an unused listening socket cannot lose data
      }
    }
    unused.clear();
  }

  private static String key(String listenerName) {
    return listenerName.toUpperCase(Locale.ROOT);
  }
}
