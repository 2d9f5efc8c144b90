package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.wire.MongoDatabaseHandler;
import de.bwaldvogel.mongo.wire.MongoWireMessageEncoder;
import de.bwaldvogel.mongo.wire.MongoWireReplyEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The TCP side: mongo-java-server's wire codec and command handler, with {@link
 * AwaitableHelloHandler} and {@link AwaitingGetMoreHandler} in front of the command handler so
 * awaitable {@code hello}s and change stream {@code getMore}s wait without holding an event-loop
 * thread, and {@link ConnectionExceptionHandler} at the end (a client disconnect is no error).
 */
public final class WireServer implements AutoCloseable {

  private final ChangeStreamBackend backend;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ChannelGroup clients;
  private final Channel serverChannel;

  private WireServer(ChangeStreamBackend backend, String host, int port) {
    this.backend = backend;
    this.bossGroup =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("embedded-mongo-boss", true), NioIoHandler.newFactory());
    this.workerGroup =
        new MultiThreadIoEventLoopGroup(
            0, new DefaultThreadFactory("embedded-mongo-worker", true), NioIoHandler.newFactory());
    this.clients = new DefaultChannelGroup("embedded-mongo-clients", workerGroup.next());
    FailPoints failPoints = new FailPoints(backend::withTopologyVersion);
    try {
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(bossGroup, workerGroup)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 128)
              .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                      channel
                          .pipeline()
                          .addLast(new MongoWireReplyEncoder())
                          .addLast(new MongoWireMessageEncoder())
                          .addLast(new UnacknowledgedReplies())
                          .addLast(new WireDecoder())
                          .addLast(failPoints)
                          .addLast(new AwaitableHelloHandler(backend.identity()))
                          .addLast(new AwaitingGetMoreHandler(backend))
                          .addLast(new MongoDatabaseHandler(backend, clients))
                          .addLast(new ConnectionExceptionHandler());
                    }
                  });
      this.serverChannel =
          bootstrap.bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      shutdownGroups();
      throw e;
    }
  }

  /** Binds {@code host:port} ({@code 0} = a free port) and serves {@code backend}. */
  public static WireServer start(ChangeStreamBackend backend, String host, int port) {
    return new WireServer(backend, host, port);
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    clients.close().awaitUninterruptibly();
    shutdownGroups();
    backend.close();
  }

  private void shutdownGroups() {
    bossGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    bossGroup.terminationFuture().syncUninterruptibly();
    workerGroup.terminationFuture().syncUninterruptibly();
  }
}
