package io.changecast.router.internal;

import io.changecast.router.ChangeEvent;

/**
 * A record's state in the router's first sub-topology (before the repartition by tenant). It never
 * leaves the process: it is not serialised.
 */
public sealed interface Step {

  /** Parsed; the raw value is kept in case a later stage rejects it. */
  record Parsed(String raw, ChangeEvent event) implements Step {}

  /** Parsed and assigned to a tenant. */
  record Resolved(String tenant, ChangeEvent event) implements Step {}

  /** Rejected: goes to the dead-letter topic with its original value. */
  record Rejected(String raw, Stage stage, Reason reason, String detail) implements Step {}

  /** The step after parsing {@code raw}. */
  static Step parse(String raw) {
    ParseResult result;
    try {
      result = ChangeEventParser.parse(raw);
    } catch (RuntimeException e) { // the parser is total; this only guards against its bugs
      result = new ParseResult.Invalid(Reason.INTERNAL_ERROR, e.toString());
    }
    if (result instanceof ParseResult.Parsed parsed) {
      return new Parsed(raw, parsed.event());
    }
    ParseResult.Invalid invalid = (ParseResult.Invalid) result;
    return new Rejected(raw, Stage.PARSE, invalid.reason(), invalid.detail());
  }
}
