package io.changecast.router.internal.serde;

import io.changecast.router.event.Envelope;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * Names the per-type topic of an envelope: {@code <prefix><type>}, with characters a topic name
 * cannot hold replaced by {@code _}. The topics are not created by the router: create them ahead,
 * or let the broker create them ({@code auto.create.topics.enable}).
 */
public record TypeTopics(String prefix, io.changecast.router.metrics.RouterMetrics metrics)
    implements TopicNameExtractor<String, Envelope> {

  @Override
  public String extract(String key, Envelope envelope, RecordContext recordContext) {
    String topic = topicFor(envelope.type());
    metrics.out(topic);
    return topic;
  }

  /** The topic of events of {@code type}. */
  public String topicFor(String type) {
    String name = prefix + type.replaceAll("[^a-zA-Z0-9._-]", "_");
    return name.length() <= 249 ? name : name.substring(0, 249);
  }
}
