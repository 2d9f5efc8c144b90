package io.changecast.edge.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The server-level error handler: the errors Jetty answers itself, before any route runs (a request
 * line too long: 414, headers too large: 431, other malformed requests: 400), get the edge's JSON
 * {@code {"error","detail"}} body instead of Jetty's HTML or plain text.
 */
final class JsonErrorHandler extends ErrorHandler {
  private final int maxRequestHeaderBytes;

  JsonErrorHandler(int maxRequestHeaderBytes) {
    this.maxRequestHeaderBytes = maxRequestHeaderBytes;
    setShowStacks(false);
    setShowMessageInTitle(false);
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    byte[] body = ErrorResponses.json(body(code)).getBytes(StandardCharsets.UTF_8);
    response.setStatus(code);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private java.util.Map<String, String> body(int code) {
    return switch (code) {
      case 414 ->
          ErrorResponses.fields(
              "uri_too_long",
              "The request line is longer than http.max-request-header-bytes ("
                  + maxRequestHeaderBytes
                  + " bytes)");
      case 431 ->
          ErrorResponses.fields(
              "headers_too_large",
              "The request headers are larger than http.max-request-header-bytes ("
                  + maxRequestHeaderBytes
                  + " bytes)");
      case 400 -> ErrorResponses.fields("bad_request", "The request is malformed");
      default -> ErrorResponses.fields("http_" + code, "HTTP error " + code);
    };
  }
}
