package io.changecast.edge.auth;

/** A token was refused; the message is for the operator's debug log and never holds the token. */
final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidTokenException(String reason) {
    super(reason, null, false, false);
  }
}
