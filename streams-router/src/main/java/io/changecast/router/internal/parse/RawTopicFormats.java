package io.changecast.router.internal.parse;

import io.changecast.contract.HeaderNames;
import io.changecast.router.config.RouterConfig;
import io.changecast.router.metrics.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The value format of each raw topic, from {@value RouterConfig#INPUT_FORMAT_DEBEZIUM_PATTERN}
 * (first), {@value RouterConfig#INPUT_FORMAT_FULL_DOCUMENT_PATTERN}, then {@value
 * RouterConfig#INPUT_FORMAT}; and the namespace of a full-document topic's records.
 */
public final class RawTopicFormats {

  private final Step.Format fallback;
  private final Pattern debezium;
  private final Pattern fullDocument;

  private RawTopicFormats(Step.Format fallback, Pattern debezium, Pattern fullDocument) {
    this.fallback = fallback;
    this.debezium = debezium;
    this.fullDocument = fullDocument;
  }

  /** The formats {@code config} declares. */
  public static RawTopicFormats from(RouterConfig config) {
    return new RawTopicFormats(
        Step.Format.valueOf(config.inputFormat().toUpperCase(Locale.ROOT)),
        config.debeziumTopicPattern().isEmpty()
            ? null
            : Pattern.compile(config.debeziumTopicPattern()),
        config.fullDocumentTopicPattern().isEmpty()
            ? null
            : Pattern.compile(config.fullDocumentTopicPattern()));
  }

  /** The format of {@code topic}'s values. */
  public Step.Format format(String topic) {
    if (debezium != null && debezium.matcher(topic).matches()) {
      return Step.Format.DEBEZIUM;
    }
    if (fullDocument != null && fullDocument.matcher(topic).matches()) {
      return Step.Format.FULL_DOCUMENT;
    }
    return fallback;
  }

  /** The step after reading one raw record of {@code topic}. */
  public Step parse(String topic, Headers headers, String key, String raw) {
    Step.Format format = format(topic);
    if (format != Step.Format.FULL_DOCUMENT || Control.type(headers) != null) {
      return Steps.parse(headers, key, raw, format);
    }
    String database = header(headers, HeaderNames.SOURCE_DB);
    String collection = header(headers, HeaderNames.SOURCE_COLL);
    if (database == null || collection == null) {
      Matcher matcher = fullDocument.matcher(topic);
      if (matcher.matches()) {
        database = database != null ? database : matcher.group("db");
        collection = collection != null ? collection : matcher.group("coll");
      }
    }
    if (database == null || database.isEmpty() || collection == null || collection.isEmpty()) {
      return new Step.Rejected(
          raw,
          Stage.PARSE,
          Reason.MISSING_FIELD,
          "no namespace for a full-document record: no "
              + HeaderNames.SOURCE_DB
              + "/"
              + HeaderNames.SOURCE_COLL
              + " headers and the topic '"
              + topic
              + "' gives an empty db or coll group of "
              + RouterConfig.INPUT_FORMAT_FULL_DOCUMENT_PATTERN);
    }
    ParseResult result;
    try {
      result = FullDocumentParser.parse(key, raw, database, collection);
    } catch (RuntimeException e) { // the parser is total; this only guards against its bugs
      result = new ParseResult.Invalid(Reason.INTERNAL_ERROR, e.toString());
    }
    return Steps.of(raw, result);
  }

  private static String header(Headers headers, String name) {
    Header header = headers == null ? null : headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }
}
