package io.changecast.router.internal.parse;

import io.changecast.router.event.ChangeEvent;
import io.changecast.router.metrics.Reason;

/** The outcome of parsing one raw record value. */
sealed interface ParseResult {

  /** A well-formed change event. */
  record Parsed(ChangeEvent event) implements ParseResult {}

  /** A change of namespaces ({@code drop}, {@code rename}, ...): a reset of their tenants. */
  record NamespaceChanged(NamespaceChange change) implements ParseResult {}

  /** A change event that changes no document and concerns no subscriber (e.g. {@code create}). */
  record Ignored(String why) implements ParseResult {}

  /** A value that is not a routable change event, and why. */
  record Invalid(Reason reason, String detail) implements ParseResult {}
}
