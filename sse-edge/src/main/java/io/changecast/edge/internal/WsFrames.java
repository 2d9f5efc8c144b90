package io.changecast.edge.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.Optional;

/**
 * WebSocket encoding: one JSON text message per frame, {@code {"id":"7","event":"orders.created",
 * "data":<envelope>}} for a data event ({@code event} is the envelope's {@code type}), {@code
 * {"id":"3","event":"reset","data":<envelope>}} for a router reset, {@code
 * {"event":"reset","data":{"reason":"retention",...}}}, {@code {"event":"overflow","data":{...}}}
 * and {@code {"event":"heartbeat","data":{"clusterTime":"t.i"}}} (no {@code id}: they do not move
 * the client's position).
 */
final class WsFrames implements Frames {
  /** Sends one text message, blocking until it is written (or failing). */
  @FunctionalInterface
  interface TextSender {
    void send(String text) throws IOException;
  }

  /** {@code event} of a data event whose envelope has no string {@code type}. */
  static final String UNTYPED_EVENT = "message";

  private static final JsonFactory JSON = new JsonFactory();

  /** A data event's message, built once per event and shared by every subscriber. */
  private static final SharedEncoding<String> DATA =
      new SharedEncoding<>(event -> message(event.id(), type(event.json()), event.json()));

  private final TextSender sender;

  WsFrames(TextSender sender) {
    this.sender = sender;
  }

  @Override
  public void open() {
    // WebSocket has no reconnection delay to announce.
  }

  @Override
  public void data(Event event) throws IOException {
    sender.send(DATA.of(event));
  }

  @Override
  public void routerReset(Event event) throws IOException {
    sender.send(message(event.id(), "reset", event.json()));
  }

  @Override
  public void retentionReset(long oldestRetainedId) throws IOException {
    sender.send(message(-1, "reset", Frames.retentionResetData(oldestRetainedId)));
  }

  @Override
  public void overflow(long lastSentId) throws IOException {
    sender.send(message(-1, "overflow", Frames.overflowData(lastSentId)));
  }

  @Override
  public void heartbeat(Optional<ClusterTime> clusterTime) throws IOException {
    sender.send(
        message(
            -1,
            "heartbeat",
            clusterTime.map(time -> "{\"clusterTime\":\"" + time + "\"}").orElse("{}")));
  }

  @Override
  public void flush() {
    // Every message is written when send returns.
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
