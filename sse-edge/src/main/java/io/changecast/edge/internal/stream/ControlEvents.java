package io.changecast.edge.internal.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.contract.ControlTypes;
import io.changecast.contract.EnvelopeFields;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.SharedEncoding;
import java.io.IOException;

/** Recognises the router's control envelopes among a tenant's events. */
public final class ControlEvents {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Checked once per event, not once per subscriber. */
  private static final SharedEncoding<Boolean> RESETS =
      new SharedEncoding<>(ControlEvents::parseIsReset);

  private ControlEvents() {}

  /** Whether the event is a router reset envelope. */
  public static boolean isReset(Event event) {
    return RESETS.of(event);
  }

  /** A cheap text check before parsing. */
  private static boolean parseIsReset(Event event) {
    if (!event.json().contains(ControlTypes.RESET)) {
      return false;
    }
    JsonNode envelope = parse(event);
    return envelope != null
        && ControlTypes.RESET.equals(envelope.path(EnvelopeFields.TYPE).asText(null));
  }

  /** The reason of a reset envelope, {@code unknown} when absent. */
  static String resetReason(Event event) {
    JsonNode envelope = parse(event);
    String reason = envelope == null ? null : envelope.path(EnvelopeFields.REASON).asText(null);
    return reason == null || reason.isBlank() ? "unknown" : reason;
  }

  private static JsonNode parse(Event event) {
    try {
      return MAPPER.readTree(event.json());
    } catch (IOException e) {
      return null;
    }
  }
}
