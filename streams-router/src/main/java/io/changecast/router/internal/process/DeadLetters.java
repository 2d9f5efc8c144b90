package io.changecast.router.internal.process;

import io.changecast.contract.HeaderNames;
import io.changecast.router.internal.parse.Json;
import io.changecast.router.internal.parse.Reason;
import io.changecast.router.internal.parse.Stage;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The headers of a dead-letter record; values are UTF-8 strings. */
public final class DeadLetters {

  public static final String REASON = HeaderNames.ERROR_PREFIX + "reason";
  public static final String DETAIL = HeaderNames.ERROR_PREFIX + "detail";
  public static final String STAGE = HeaderNames.ERROR_PREFIX + "stage";
  public static final String TOPIC = HeaderNames.ERROR_PREFIX + "topic";
  public static final String PARTITION = HeaderNames.ERROR_PREFIX + "partition";
  public static final String OFFSET = HeaderNames.ERROR_PREFIX + "offset";

  private static final int MAX_DETAIL = 500;

  private DeadLetters() {}

  /**
   * A copy of {@code original} (the source record's headers, kept) plus the error headers; any
   * earlier error headers are replaced.
   */
  public static Headers headers(
      Headers original,
      String topic,
      int partition,
      long offset,
      Stage stage,
      Reason reason,
      String detail) {
    RecordHeaders headers = new RecordHeaders(original == null ? null : original.toArray());
    put(headers, REASON, reason.code());
    put(headers, DETAIL, Json.abbreviate(detail == null ? "" : detail, MAX_DETAIL));
    put(headers, STAGE, stage.code());
    put(headers, TOPIC, topic);
    put(headers, PARTITION, Integer.toString(partition));
    put(headers, OFFSET, Long.toString(offset));
    return headers;
  }

  private static void put(Headers headers, String key, String value) {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
