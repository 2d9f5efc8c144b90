package io.changecast.router.internal;

import io.changecast.router.ChangeEvent;

/** The outcome of parsing one raw record value. */
public sealed interface ParseResult {

  /** A well-formed change event. */
  record Parsed(ChangeEvent event) implements ParseResult {}

  /** A value that is not a routable change event, and why. */
  record Invalid(Reason reason, String detail) implements ParseResult {}
}
