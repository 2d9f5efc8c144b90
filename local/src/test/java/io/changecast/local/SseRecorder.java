package io.changecast.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real SSE client (LaunchDarkly okhttp-eventsource) recording the events it receives. */
final class SseRecorder implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One received data event: its SSE id and its envelope. */
  record Received(String id, JsonNode envelope) {}

  private final List<Received> events = new CopyOnWriteArrayList<>();
  private final List<String> comments = new CopyOnWriteArrayList<>();
  private final BackgroundEventSource source;

  private SseRecorder(URI uri, String lastEventId) {
    EventSource.Builder builder =
        new EventSource.Builder(ConnectStrategy.http(uri).readTimeout(60, TimeUnit.SECONDS))
            .errorStrategy(ErrorStrategy.alwaysContinue())
            .retryDelay(100, TimeUnit.MILLISECONDS);
    if (lastEventId != null) {
      builder.lastEventId(lastEventId);
    }
    source = new BackgroundEventSource.Builder(new Handler(), builder).build();
    source.start();
  }

  /** Subscribes to a tenant's stream, resuming after {@code lastEventId} when not null. */
  static SseRecorder subscribe(URI edge, String tenant, String lastEventId) {
    return new SseRecorder(edge.resolve("/v1/tenants/" + tenant + "/events"), lastEventId);
  }

  List<Received> events() {
    return List.copyOf(events);
  }

  List<String> ids() {
    return events.stream().map(Received::id).toList();
  }

  @Override
  public void close() {
    source.close();
  }

  private final class Handler implements BackgroundEventHandler {
    @Override
    public void onOpen() {}

    @Override
    public void onClosed() {}

    @Override
    public void onMessage(String event, MessageEvent message) {
      try {
        events.add(new Received(message.getLastEventId(), JSON.readTree(message.getData())));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void onComment(String comment) {
      comments.add(comment);
    }

    @Override
    public void onError(Throwable t) {}
  }
}
