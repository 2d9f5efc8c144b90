package io.changecast.connector.validate.internal;

import com.mongodb.kafka.connect.sink.MongoSinkConfig;
import com.mongodb.kafka.connect.source.MongoSourceConfig;
import io.changecast.connector.config.ConfigProblem;
import io.changecast.connector.source.ChangecastSourceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The official connector's offline validation: its {@code ConfigDef.validate(map)}, then building
 * its config object, which runs the cross-field checks. Unlike {@code Connector.validate}, nothing
 * here connects to MongoDB.
 */
public final class OfficialValidation {

  private static final Pattern CONFIG_EXCEPTION =
      Pattern.compile(
          "Invalid value (.*) for configuration ([^:\\s]+)(?::\\s*(.*))?", Pattern.DOTALL);

  private OfficialValidation() {}

  /** Problems the official {@code MongoSourceConnector} finds without connecting. */
  public static List<ConfigProblem> source(Map<String, String> config) {
    return validate(
        "MongoSourceConnector", MongoSourceConfig.CONFIG, config, MongoSourceConfig::new);
  }

  /**
   * Problems of a {@code ChangecastSourceConnector} config ({@code effective}: Changecast's
   * defaults applied) that the official connector and Changecast's own options find without
   * connecting.
   */
  public static List<ConfigProblem> changecastSource(Map<String, String> effective) {
    return validate(
        "ChangecastSourceConnector",
        ChangecastSourceConfig.configDef(),
        effective,
        MongoSourceConfig::new);
  }

  /** Problems the official {@code MongoSinkConnector} finds without connecting. */
  public static List<ConfigProblem> sink(Map<String, String> config) {
    return validate("MongoSinkConnector", MongoSinkConfig.CONFIG, config, MongoSinkConfig::new);
  }

  private static List<ConfigProblem> validate(
      String connector,
      ConfigDef definition,
      Map<String, String> config,
      Consumer<Map<String, String>> build) {
    List<ConfigProblem> problems = new ArrayList<>();
    for (ConfigValue value : definition.validate(config)) {
      if (!value.errorMessages().isEmpty()) {
        problems.add(
            ConfigProblem.error(
                value.name(),
                config.get(value.name()),
                "a value " + connector + " accepts",
                connector + ": " + String.join("; ", value.errorMessages())));
      }
    }
    if (!problems.isEmpty()) {
      return problems;
    }
    try {
      build.accept(config);
    } catch (ConfigException e) {
      problems.add(fromException(connector, config, e));
    } catch (RuntimeException e) {
      problems.add(
          ConfigProblem.error(
              "config", null, "a config " + connector + " accepts", connector + ": " + e));
    }
    return problems;
  }

  private static ConfigProblem fromException(
      String connector, Map<String, String> config, ConfigException e) {
    String message = String.valueOf(e.getMessage());
    Matcher m = CONFIG_EXCEPTION.matcher(message);
    if (m.matches()) {
      String key = m.group(2);
      String detail = m.group(3) == null ? message : m.group(3);
      return ConfigProblem.error(
          key, config.get(key), "a value " + connector + " accepts", connector + ": " + detail);
    }
    return ConfigProblem.error(
        "config", null, "a config " + connector + " accepts", connector + ": " + message);
  }
}
