package io.changecast.edge.internal;

/**
 * An HTTP error raised by a handler before a response starts; rendered once, as JSON {@code
 * {"error": ..., "detail": ...}} with {@link #status()}, by {@code ErrorResponses}.
 */
public final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  public HttpError(int status, String error, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.error = error;
  }

  public static HttpError badRequest(String error, String detail) {
    return new HttpError(400, error, detail);
  }

  public static HttpError unauthorized(String error, String detail) {
    return new HttpError(401, error, detail);
  }

  public static HttpError forbidden(String error, String detail) {
    return new HttpError(403, error, detail);
  }

  public static HttpError notFound(String error, String detail) {
    return new HttpError(404, error, detail);
  }

  public static HttpError unavailable(String error, String detail) {
    return new HttpError(503, error, detail);
  }

  public int status() {
    return status;
  }

  /** Machine-readable code, e.g. {@code invalid_tenant}. */
  public String error() {
    return error;
  }

  /** Human-readable explanation. */
  public String detail() {
    return getMessage();
  }
}
