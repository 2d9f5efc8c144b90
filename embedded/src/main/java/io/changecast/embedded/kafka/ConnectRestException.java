package io.changecast.embedded.kafka;

/** A Kafka Connect REST call answered with an error status; carries the status and the body. */
public final class ConnectRestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String body;

  public ConnectRestException(String request, int status, String body) {
    super(request + " failed with HTTP " + status + ": " + body);
    this.status = status;
    this.body = body;
  }

  /** The HTTP status code. */
  public int status() {
    return status;
  }

  /** The response body as received (Connect answers {@code {"error_code":..,"message":..}}). */
  public String body() {
    return body;
  }
}
