package io.changecast.edge;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.HttpConnectStrategy;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.StreamException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * One SSE connection read event by event (okhttp-eventsource, synchronous): the test decides when
 * to hang up. It never reconnects by itself; every error, including the end of the stream, is
 * thrown.
 */
final class SseConnection implements AutoCloseable {
  private final EventSource source;

  private SseConnection(EventSource source) {
    this.source = source;
  }

  /**
   * Connects and returns once the response headers arrived.
   *
   * @param lastEventId sent as the {@code Last-Event-ID} header, unless null
   * @param headers further request header name/value pairs
   * @throws StreamException e.g. a {@code StreamHttpErrorException} for a non-2xx status
   */
  static SseConnection open(OkHttpClient http, URI uri, String lastEventId, String... headers)
      throws StreamException {
    HttpConnectStrategy connect =
        ConnectStrategy.http(uri).httpClient(http).readTimeout(30, TimeUnit.SECONDS);
    for (int i = 0; i < headers.length; i += 2) {
      connect = connect.header(headers[i], headers[i + 1]);
    }
    EventSource.Builder builder =
        new EventSource.Builder(connect).errorStrategy(ErrorStrategy.alwaysThrow());
    if (lastEventId != null) {
      builder.lastEventId(lastEventId);
    }
    EventSource source = builder.build();
    try {
      source.start();
    } catch (StreamException | RuntimeException e) {
      source.close();
      throw e;
    }
    return new SseConnection(source);
  }

  /** The next event, data or named; blocks up to the read timeout. */
  MessageEvent next() throws StreamException {
    return source.readMessage();
  }

  /** Hangs up at once, whatever the server is writing. */
  @Override
  public void close() {
    source.close();
  }
}
