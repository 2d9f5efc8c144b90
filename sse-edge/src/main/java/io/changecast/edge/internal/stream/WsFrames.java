package io.changecast.edge.internal.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.changecast.edge.internal.log.ClusterTime;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.SharedEncoding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WebSocket encoding: one JSON text message per frame, {@code {"id":"7","event":"orders.created",
 * "data":<envelope>}} for a data event ({@code event} is the envelope's {@code type}), {@code
 * {"id":"3","event":"reset","data":<envelope>}} for a router reset, {@code
 * {"event":"reset","data":{"reason":"retention",...}}}, {@code {"event":"overflow","data":{...}}}
 * and {@code {"event":"heartbeat","data":{"clusterTime":"t.i"}}} (no {@code id}: they do not move
 * the client's position).
 *
 * <p>A drain's messages are gathered, then {@link #flush} sends them all without waiting (the
 * WebSocket session queues them in order) and tells the drain when the last one is written.
 */
public final class WsFrames implements Frames {
  /** Sends one text message without blocking; {@code done} is told when it is written. */
  @FunctionalInterface
  public interface TextSender {
    void send(String text, Written done);
  }

  /** Characters gathered before a drain flushes and goes on in a further flush. */
  static final int MAX_BATCH_CHARS = 64 * 1024;

  /** {@code event} of a data event whose envelope has no string {@code type}. */
  static final String UNTYPED_EVENT = "message";

  private static final JsonFactory JSON = new JsonFactory();

  /** A data event's message, built once per event and shared by every subscriber. */
  private static final SharedEncoding<String> DATA =
      new SharedEncoding<>(event -> message(event.id(), type(event.json()), event.json()));

  private final TextSender sender;
  private List<String> gathered = new ArrayList<>(0);
  private int gatheredChars;

  public WsFrames(TextSender sender) {
    this.sender = sender;
  }

  @Override
  public void open() {
    // WebSocket has no reconnection delay to announce.
  }

  @Override
  public void data(Event event) {
    add(DATA.of(event));
  }

  @Override
  public void snapshot(String entryJson) {
    add(message(-1, "snapshot", entryJson));
  }

  @Override
  public void snapshotEnd(long asOf) {
    add(message(asOf, "snapshot-end", Frames.snapshotEndData(asOf)));
  }

  @Override
  public void routerReset(Event event) {
    add(message(event.id(), "reset", event.json()));
  }

  @Override
  public void retentionReset(long oldestRetainedId) {
    add(message(-1, "reset", Frames.retentionResetData(oldestRetainedId)));
  }

  @Override
  public void overflow(long lastSentId) {
    add(message(-1, "overflow", Frames.overflowData(lastSentId)));
  }

  @Override
  public void heartbeat(Optional<ClusterTime> clusterTime) {
    add(
        message(
            -1,
            "heartbeat",
            clusterTime.map(time -> "{\"clusterTime\":\"" + time + "\"}").orElse("{}")));
  }

  @Override
  public boolean full() {
    return gatheredChars >= MAX_BATCH_CHARS;
  }

  @Override
  public void flush(Written done) {
    if (gathered.isEmpty()) {
      done.written(null);
      return;
    }
    List<String> messages = gathered;
    gathered = new ArrayList<>(0);
    gatheredChars = 0;
    AtomicInteger left = new AtomicInteger(messages.size());
    AtomicBoolean told = new AtomicBoolean();
    Written each =
        failure -> {
          boolean last = failure != null || left.decrementAndGet() == 0;
          if (last && told.compareAndSet(false, true)) {
            done.written(failure); // the first failure, or the last message written
          }
        };
    for (String message : messages) {
      sender.send(message, each);
    }
  }

  private void add(String message) {
    gathered.add(message);
    gatheredChars += message.length();
  }

  /** One frame; {@code id} -1 for none, {@code data} is JSON text. */
  static String message(long id, String event, String data) {
    StringBuilder text = new StringBuilder(data.length() + 64).append('{');
    if (id >= 0) {
      text.append("\"id\":\"").append(id).append("\",");
    }
    text.append("\"event\":\"");
    JsonStringEncoder.getInstance().quoteAsString(event, text);
    return text.append("\",\"data\":").append(data).append('}').toString();
  }

  /** The envelope's top-level {@code type} string, read without building a tree. */
  static String type(String envelope) {
    try (JsonParser parser = JSON.createParser(envelope)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return UNTYPED_EVENT;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("type".equals(name)) {
          return value == JsonToken.VALUE_STRING ? parser.getText() : UNTYPED_EVENT;
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      // not an object: untyped
    }
    return UNTYPED_EVENT;
  }
}
