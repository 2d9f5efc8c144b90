package io.changecast.edge.internal.http;

import java.util.concurrent.CompletableFuture;

/**
 * Where the write API hands accepted events: the ingest topic in production ({@link
 * KafkaIngestPublisher}), an in-memory fake in tests.
 */
public interface IngestPublisher extends AutoCloseable {

  /**
   * Publishes one ingest record. The future completes when the broker acknowledged it, or
   * exceptionally when it was refused; it may throw at once when the record cannot even be sent.
   *
   * @param tenant the record key
   * @param value {@code {"tenant","type","data","receivedAt"}} as JSON
   */
  CompletableFuture<Void> publish(String tenant, String value);

  @Override
  default void close() {}

  /** A publisher that refuses everything, for servers built without a Kafka producer. */
  static IngestPublisher unavailable() {
    return (tenant, value) ->
        CompletableFuture.failedFuture(
            new IllegalStateException("no ingest publisher is configured"));
  }
}
