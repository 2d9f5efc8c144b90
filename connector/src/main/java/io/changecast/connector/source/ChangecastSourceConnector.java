package io.changecast.connector.source;

import com.mongodb.kafka.connect.MongoSourceConnector;
import io.changecast.connector.config.ConfigProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changecast's source connector: the official {@link MongoSourceConnector} with Changecast's
 * defaults and checks, {@code history-lost} control records and source headers.
 *
 * <p>Deploy it like the official connector ({@code connector.class =
 * io.changecast.connector.source.ChangecastSourceConnector}); every option of the official
 * connector applies. Changecast sets the defaults in {@link ChangecastSourceConfig#DEFAULTS} when
 * they are not given. Converters are read by the worker, not by the connector, so the config must
 * set {@code key.converter} and {@code value.converter} to {@code
 * org.apache.kafka.connect.storage.StringConverter}; {@link #validate(Map)} says so otherwise.
 *
 * <p>A config Changecast works with, but degraded ({@link ChangecastSourceConfig#warnings(Map)},
 * e.g. {@code publish.full.document.only=true}), passes {@link #validate(Map)}: a {@code
 * ConfigValue} can only carry errors. {@link #start(Map)} logs each warning at WARN instead.
 */
public final class ChangecastSourceConnector extends SourceConnector {

  /** This plugin's version: the jar's implementation version, {@code dev} in a build tree. */
  public static final String VERSION = version(ChangecastSourceConnector.class);

  private static final Logger LOG = LoggerFactory.getLogger(ChangecastSourceConnector.class);

  private final MongoSourceConnector delegate = new MongoSourceConnector();

  @Override
  public void start(Map<String, String> props) {
    ChangecastSourceConfig config = new ChangecastSourceConfig(props);
    for (ConfigProblem warning : ChangecastSourceConfig.warnings(props)) {
      LOG.warn("Changecast runs with less information: {}", warning.message());
    }
    delegate.initialize(context());
    delegate.start(config.props());
  }

  @Override
  public Class<? extends Task> taskClass() {
    return ChangecastSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    for (Map<String, String> config : delegate.taskConfigs(maxTasks)) {
      configs.add(new HashMap<>(config));
    }
    return configs;
  }

  @Override
  public void stop() {
    delegate.stop();
  }

  /**
   * The official connector's validation (which connects to MongoDB) of the config with Changecast's
   * defaults, plus Changecast's options and checks; see {@link
   * ChangecastSourceConfig#validateOffline(Map)} for the same without connecting.
   */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Map<String, String> effective = ChangecastSourceConfig.withDefaults(connectorConfigs);
    Config official = delegate.validate(effective);
    return ChangecastSourceConfig.check(effective, official.configValues());
  }

  @Override
  public ConfigDef config() {
    return ChangecastSourceConfig.configDef();
  }

  @Override
  public String version() {
    return VERSION;
  }

  private static String version(Class<?> type) {
    String version = type.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
