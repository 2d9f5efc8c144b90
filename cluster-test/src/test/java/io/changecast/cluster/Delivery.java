package io.changecast.cluster;

/**
 * One SSE event as a tenant's client received it: the event name ({@code message} for data events),
 * the SSE {@code id:}, the {@code data:} text and the local receive time (epoch ms).
 */
record Delivery(String eventName, String lastEventId, String data, long receivedAtMillis) {

  static Delivery message(long id, String data, long receivedAtMillis) {
    return new Delivery("message", Long.toString(id), data, receivedAtMillis);
  }
}
