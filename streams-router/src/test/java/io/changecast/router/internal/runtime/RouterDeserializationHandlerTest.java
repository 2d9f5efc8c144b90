package io.changecast.router.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.changecast.router.internal.process.DeadLetters;
import io.changecast.router.metrics.RouterMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class RouterDeserializationHandlerTest {

  @Test
  void logsCountsSendsToTheDlqAndContinues() {
    RouterMetrics metrics = RouterMetrics.inMemory();
    RouterDeserializationHandler handler = new RouterDeserializationHandler();
    handler.configure(
        Map.of(
            RouterDeserializationHandler.DLQ_TOPIC_CONFIG,
            "dead",
            RouterDeserializationHandler.METRICS_CONFIG,
            metrics));
    ConsumerRecord<byte[], byte[]> record =
        new ConsumerRecord<>("r-by-tenant-repartition", 2, 9L, bytes("acme"), bytes("{oops"));

    DeserializationExceptionHandler.Response response =
        handler.handleError(context(), record, new SerializationException("bad JSON"));

    assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo("dead");
    assertThat(dead.key()).isEqualTo(bytes("acme"));
    assertThat(dead.value()).isEqualTo(bytes("{oops"));
    Headers headers = dead.headers();
    assertThat(text(headers, DeadLetters.REASON)).isEqualTo("deserialization-failed");
    assertThat(text(headers, DeadLetters.STAGE)).isEqualTo("deserialize");
    assertThat(text(headers, DeadLetters.TOPIC)).isEqualTo("r-by-tenant-repartition");
    assertThat(text(headers, DeadLetters.PARTITION)).isEqualTo("2");
    assertThat(text(headers, DeadLetters.OFFSET)).isEqualTo("9");
    assertThat(text(headers, DeadLetters.DETAIL)).isEqualTo("bad JSON");
    assertThat(
            metrics
                .registry()
                .counter(RouterMetrics.INVALID, "reason", "deserialization-failed")
                .count())
        .isEqualTo(1.0);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Headers headers, String key) {
    return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
  }

  private static ErrorHandlerContext context() {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return "r-by-tenant-repartition";
      }

      @Override
      public int partition() {
        return 2;
      }

      @Override
      public long offset() {
        return 9L;
      }

      @Override
      public Headers headers() {
        return new org.apache.kafka.common.header.internals.RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "source";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(1, 2);
      }

      @Override
      public long timestamp() {
        return 0L;
      }

      @Override
      public byte[] sourceRawKey() {
        return bytes("acme");
      }

      @Override
      public byte[] sourceRawValue() {
        return bytes("{oops");
      }
    };
  }
}
