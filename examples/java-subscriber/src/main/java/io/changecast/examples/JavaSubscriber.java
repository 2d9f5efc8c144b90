package io.changecast.examples;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Changecast subscriber on LaunchDarkly's okhttp-eventsource: it streams one tenant's events,
 * reconnects on its own and resumes with {@code Last-Event-ID}, so it sees every id once.
 *
 * <p>Run: {@code CHANGECAST_TOKEN=<jwt> java ... io.changecast.examples.JavaSubscriber
 * http://127.0.0.1:8080 acme}
 */
public final class JavaSubscriber {

  private JavaSubscriber() {}

  /**
   * Subscribes to {@code tenant}'s stream on {@code edge}, after {@code lastEventId} (null: from
   * the live tail); every event (data events are named {@code message}, control events {@code
   * reset} and {@code overflow}) goes to {@code onEvent}. Close the returned source to stop.
   */
  public static BackgroundEventSource subscribe(
      URI edge, String tenant, String token, String lastEventId, Consumer<MessageEvent> onEvent) {
    URI stream = edge.resolve("/v1/tenants/" + tenant + "/events");
    EventSource.Builder events =
        new EventSource.Builder(
                ConnectStrategy.http(stream)
                    .header("Authorization", "Bearer " + token)
                    .readTimeout(60, TimeUnit.SECONDS)) // heartbeats come every 15 s
            .errorStrategy(ErrorStrategy.alwaysContinue()) // reconnect after any error
            .retryDelay(1, TimeUnit.SECONDS);
    if (lastEventId != null) {
      events.lastEventId(lastEventId);
    }
    BackgroundEventSource source =
        new BackgroundEventSource.Builder(new Handler(onEvent), events).build();
    source.start();
    return source;
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 2) {
      System.err.println("Usage: JavaSubscriber <edge-url> <tenant> [last-event-id]");
      System.exit(2);
    }
    String token = System.getenv("CHANGECAST_TOKEN");
    String lastEventId = args.length > 2 ? args[2] : null;
    try (BackgroundEventSource source =
        subscribe(
            URI.create(args[0]),
            args[1],
            token,
            lastEventId,
            event ->
                System.out.println(
                    event.getEventName() + " " + event.getLastEventId() + " " + event.getData()))) {
      new CountDownLatch(1).await(); // until Ctrl-C
    }
  }

  private record Handler(Consumer<MessageEvent> onEvent) implements BackgroundEventHandler {
    @Override
    public void onOpen() {}

    @Override
    public void onClosed() {}

    @Override
    public void onMessage(String event, MessageEvent message) {
      onEvent.accept(message);
    }

    @Override
    public void onComment(String comment) {}

    @Override
    public void onError(Throwable error) {
      System.err.println("stream error, reconnecting: " + error);
    }
  }
}
