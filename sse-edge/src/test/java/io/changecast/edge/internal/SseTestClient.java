package io.changecast.edge.internal;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real SSE client (LaunchDarkly okhttp-eventsource) that records what it receives. */
final class SseTestClient implements AutoCloseable {
  final List<MessageEvent> messages = new CopyOnWriteArrayList<>();
  final List<String> comments = new CopyOnWriteArrayList<>();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();
  private final BackgroundEventSource source;

  private SseTestClient(URI uri, String lastEventId) {
    EventSource.Builder builder =
        new EventSource.Builder(ConnectStrategy.http(uri).readTimeout(30, TimeUnit.SECONDS))
            .retryDelay(100, TimeUnit.MILLISECONDS);
    if (lastEventId != null) {
      builder.lastEventId(lastEventId);
    }
    source =
        new BackgroundEventSource.Builder(
                new BackgroundEventHandler() {
                  @Override
                  public void onOpen() {
                    opened.incrementAndGet();
                  }

                  @Override
                  public void onClosed() {
                    closed.incrementAndGet();
                  }

                  @Override
                  public void onMessage(String event, MessageEvent message) {
                    messages.add(message);
                  }

                  @Override
                  public void onComment(String comment) {
                    comments.add(comment);
                  }

                  @Override
                  public void onError(Throwable error) {
                    errors.add(error);
                  }
                },
                builder)
            .build();
    source.start();
  }

  static SseTestClient connect(URI uri) {
    return new SseTestClient(uri, null);
  }

  static SseTestClient connect(URI uri, String lastEventId) {
    return new SseTestClient(uri, lastEventId);
  }

  List<Long> ids() {
    return messages.stream().map(message -> Long.parseLong(message.getLastEventId())).toList();
  }

  long lastId() {
    int size = messages.size();
    return size == 0 ? -1 : Long.parseLong(messages.get(size - 1).getLastEventId());
  }

  @Override
  public void close() {
    source.close();
  }
}
