package io.changecast.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

/**
 * The test source connector, needing no external system: writes {@code {"n": i}} for i in [0,
 * count) to {@code topic}, committing {@code n} as its source offset and resuming after it, then
 * idles until stopped. Without {@code count} it only idles; with {@code fail=true} its task fails
 * on start.
 */
public final class CountingSourceConnector extends SourceConnector {

  private static final Map<String, String> PARTITION = Map.of("source", "counting");

  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
  }

  @Override
  public Class<? extends Task> taskClass() {
    return CountingTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return List.of(props);
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return new ConfigDef()
        .define("topic", ConfigDef.Type.STRING, null, ConfigDef.Importance.HIGH, "target topic")
        .define("count", ConfigDef.Type.INT, 0, ConfigDef.Importance.HIGH, "records to write")
        .define("fail", ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW, "fail on start");
  }

  @Override
  public String version() {
    return "test";
  }

  /** The task: emits the remaining records, then idles until stopped. */
  public static final class CountingTask extends SourceTask {
    private final CountDownLatch stopped = new CountDownLatch(1);
    private String topic;
    private int count;
    private int next;

    @Override
    public void start(Map<String, String> props) {
      if (Boolean.parseBoolean(props.getOrDefault("fail", "false"))) {
        throw new IllegalStateException("failing as configured");
      }
      topic = props.get("topic");
      count = Integer.parseInt(props.getOrDefault("count", "0"));
      Map<String, Object> offset = context.offsetStorageReader().offset(PARTITION);
      next = offset == null ? 0 : ((Number) offset.get("n")).intValue() + 1;
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
      if (next >= count) {
        stopped.await(200, TimeUnit.MILLISECONDS); // idle without spinning
        return null;
      }
      List<SourceRecord> batch = new ArrayList<>();
      for (; next < count; next++) {
        batch.add(
            new SourceRecord(
                PARTITION,
                Map.of("n", next),
                topic,
                null,
                null,
                "k" + next,
                null,
                Map.of("n", next)));
      }
      return batch;
    }

    @Override
    public void stop() {
      stopped.countDown();
    }

    @Override
    public String version() {
      return "test";
    }
  }
}
