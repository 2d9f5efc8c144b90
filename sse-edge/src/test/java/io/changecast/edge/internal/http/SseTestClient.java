package io.changecast.edge.internal.http;

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

  /** Ids of the data events (unnamed), in arrival order; named control events are left out. */
  List<Long> ids() {
    return data().stream().map(message -> Long.parseLong(message.getLastEventId())).toList();
  }

  /** The id of the last data event, -1 before any. */
  long lastId() {
    List<MessageEvent> data = data();
    return data.isEmpty() ? -1 : Long.parseLong(data.get(data.size() - 1).getLastEventId());
  }

  /** The named (control) events received, e.g. {@code reset} and {@code overflow}. */
  List<MessageEvent> named() {
    return messages.stream()
        .filter(message -> !MessageEvent.DEFAULT_EVENT_NAME.equals(message.getEventName()))
        .toList();
  }

  private List<MessageEvent> data() {
    return messages.stream()
        .filter(message -> MessageEvent.DEFAULT_EVENT_NAME.equals(message.getEventName()))
        .toList();
  }

  @Override
  public void close() {
    source.close();
  }
}
