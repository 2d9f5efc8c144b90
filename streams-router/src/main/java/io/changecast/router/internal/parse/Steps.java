package io.changecast.router.internal.parse;

import io.changecast.router.metrics.Reason;
import org.apache.kafka.common.header.Headers;

/**
 * A raw record's value read into its {@link Step}, by format: the parsers behind {@link
 * RawTopicFormats#parse}, the one way in from outside this package.
 */
final class Steps {

  private Steps() {}

  /** The step after reading a raw record of the given format. */
  static Step parse(Headers headers, String key, String raw, Step.Format format) {
    String control = Control.type(headers);
    if (control != null) {
      return control(control, raw);
    }
    if (format == Step.Format.MONGODB) {
      return parse(raw);
    }
    if (format == Step.Format.DEBEZIUM && raw == null) {
      return new Step.Skipped("Debezium tombstone");
    }
    ParseResult result;
    try {
      result =
          format == Step.Format.DEBEZIUM
              ? DebeziumParser.parse(key, raw)
              : ChangeEventParser.parse(key, raw, true);
    } catch (RuntimeException e) {
      result = new ParseResult.Invalid(Reason.INTERNAL_ERROR, e.toString());
    }
    return of(raw, result);
  }

  /** The step for a parse {@code result} of {@code raw}. */
  static Step of(String raw, ParseResult result) {
    if (result instanceof ParseResult.Parsed parsed) {
      return new Step.Parsed(raw, parsed.event());
    }
    if (result instanceof ParseResult.NamespaceChanged changed) {
      return new Step.NamespaceChanged(raw, changed.change());
    }
    if (result instanceof ParseResult.Ignored ignored) {
      return new Step.Skipped(ignored.why());
    }
    ParseResult.Invalid invalid = (ParseResult.Invalid) result;
    return new Step.Rejected(raw, Stage.PARSE, invalid.reason(), invalid.detail());
  }

  /** The step after reading a raw record: a control record when its headers say so. */
  static Step parse(Headers headers, String raw) {
    String control = Control.type(headers);
    return control != null ? control(control, raw) : parse(raw);
  }

  /** The step of a control record of type {@code control}. */
  private static Step control(String control, String raw) {
    try {
      return Control.parse(control, raw);
    } catch (RuntimeException e) {
      return new Step.Rejected(raw, Stage.PARSE, Reason.INTERNAL_ERROR, e.toString());
    }
  }

  /** The step after parsing {@code raw}. */
  static Step parse(String raw) {
    ParseResult result;
    try {
      result = ChangeEventParser.parse(raw);
    } catch (RuntimeException e) { // the parser is total; this only guards against its bugs
      result = new ParseResult.Invalid(Reason.INTERNAL_ERROR, e.toString());
    }
    return of(raw, result);
  }
}
