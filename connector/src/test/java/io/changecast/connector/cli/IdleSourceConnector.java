package io.changecast.connector.cli;

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
 * Test-only source connector that needs no external system: its task idles, or fails on start with
 * {@code fail=true}.
 */
public final class IdleSourceConnector extends SourceConnector {

  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
  }

  @Override
  public Class<? extends Task> taskClass() {
    return IdleTask.class;
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
        .define("fail", ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW, "fail on start");
  }

  @Override
  public String version() {
    return "test";
  }

  /** Idles until stopped. */
  public static final class IdleTask extends SourceTask {
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public void start(Map<String, String> props) {
      if (Boolean.parseBoolean(props.getOrDefault("fail", "false"))) {
        throw new IllegalStateException("failing as configured");
      }
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
      stopped.await(200, TimeUnit.MILLISECONDS);
      return null;
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
