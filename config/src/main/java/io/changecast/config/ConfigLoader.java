package io.changecast.config;

import io.changecast.config.internal.ConfigFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigException;

/**
 * The one configuration loader of the router and the edge. {@link #load} reads a properties or YAML
 * file, then the {@code CHANGECAST_<APP>_<KEY>} environment variables (key in upper case, dots and
 * dashes as underscores), which win; {@link #fromMap} takes values given in code. Either way every
 * key must be defined or start with one of the open prefixes (e.g. {@code streams.}), every value
 * must parse as its type and pass its validator, and every required key must be set.
 *
 * <p>Blank values: a blank value is the empty string, taken as given (Kafka's own rule): it never
 * stands for the default. A number or boolean key refuses it; a text key whose documentation gives
 * the empty string a meaning (e.g. "empty for none") takes it.
 *
 * @param app the application, e.g. {@code router}: named in errors and in {@code
 *     CHANGECAST_ROUTER_*}
 * @param definition every key with its type, default, validator, group and doc
 * @param openPrefixes prefixes of keys passed on undefined (e.g. {@code streams.})
 */
public record ConfigLoader(String app, ConfigDef definition, List<OpenPrefix> openPrefixes) {

  /**
   * Keys starting with {@code prefix} are accepted without a definition; {@code placeholder} names
   * the rest in messages ({@code <kafka streams property>}); with {@code fromEnvironment}, {@code
   * CHANGECAST_<APP>_<PREFIX>_<NAME>} sets {@code <prefix><name>} (lower case, {@code _} as {@code
   * .}).
   */
  public record OpenPrefix(String prefix, String placeholder, boolean fromEnvironment) {}

  public ConfigLoader {
    openPrefixes = List.copyOf(openPrefixes);
  }

  /** The prefix of this application's environment variables, e.g. {@code CHANGECAST_ROUTER_}. */
  public String envPrefix() {
    return "CHANGECAST_" + app.toUpperCase(Locale.ROOT) + "_";
  }

  /**
   * The environment variable that sets {@code key}, e.g. {@code CHANGECAST_ROUTER_TENANT_FIELD}.
   */
  public String envName(String key) {
    return envPrefix() + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Reads {@code file} (if given), then the {@code CHANGECAST_<APP>_*} variables of {@code env};
   * other variables are ignored.
   *
   * @throws IllegalArgumentException for an unreadable or malformed file, a {@code
   *     CHANGECAST_<APP>_*} variable naming no key, and as {@link #fromMap}; an {@link
   *     InvalidConfigException} names where the value came from
   */
  public LoadedConfig load(Optional<Path> file, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    file.ifPresent(
        path ->
            ConfigFile.read(app, path)
                .forEach(
                    (key, value) -> {
                      values.put(key, value);
                      origins.put(key.trim(), ConfigFile.origin(path));
                    }));
    Map<String, String> byEnvName = new LinkedHashMap<>();
    definition.names().forEach(key -> byEnvName.put(envName(key), key));
    for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
      String name = entry.getKey();
      if (!name.startsWith(envPrefix())) {
        continue;
      }
      String key = Optional.ofNullable(byEnvName.get(name)).orElseGet(() -> openKey(name));
      if (key == null) {
        throw new IllegalArgumentException(
            "Unknown "
                + app
                + " environment variable "
                + name
                + "; known: "
                + String.join(", ", byEnvName.keySet())
                + envPlaceholders());
      }
      values.put(key, entry.getValue());
      origins.put(key, "env " + name);
    }
    return parse(values, origins);
  }

  /**
   * Validates {@code values} (given in code) and applies the defaults.
   *
   * @throws InvalidConfigException for a bad or missing value
   * @throws IllegalArgumentException for an unknown key
   */
  public LoadedConfig fromMap(Map<String, String> values) {
    return parse(values, Map.of());
  }

  private LoadedConfig parse(Map<String, String> given, Map<String, String> origins) {
    Map<String, Object> originals = new TreeMap<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(given).entrySet()) {
      String key = entry.getKey().trim();
      String value = entry.getValue();
      String origin = origins.get(key);
      ConfigKey defined = definition.configKeys().get(key);
      Optional<OpenPrefix> open = defined == null ? openPrefix(key) : Optional.empty();
      if (defined != null) {
        if (value != null) {
          check(defined, value, origin);
          originals.put(key, value);
        }
      } else if (open.isPresent()) {
        if (value == null || key.equals(open.get().prefix())) {
          throw InvalidConfigException.of(
              app,
              key,
              value,
              origin,
              "expected " + open.get().prefix() + open.get().placeholder());
        }
        originals.put(key, value.trim());
      } else {
        throw new IllegalArgumentException(
            "Unknown "
                + app
                + " config key '"
                + key
                + "'"
                + (origin == null ? "" : " (" + origin + ")")
                + "; known keys: "
                + String.join(", ", definition.names())
                + placeholders());
      }
    }
    for (ConfigKey key : definition.configKeys().values()) {
      if (!key.hasDefault() && !originals.containsKey(key.name)) {
        throw InvalidConfigException.of(app, key.name, null, "it is required");
      }
    }
    return new LoadedConfig(this, originals, origins);
  }

  private void check(ConfigKey key, String value, String origin) {
    Object parsed;
    try {
      parsed = ConfigDef.parseType(key.name, value, key.type);
    } catch (ConfigException e) {
      throw refused(key, value.trim(), origin, "expected " + ConfigTable.typeWords(key.type));
    }
    Optional<String> reason = Checks.reason(key.validator, key.name, parsed);
    if (reason.isPresent()) {
      throw refused(key, parsed, origin, reason.get());
    }
  }

  private InvalidConfigException refused(ConfigKey key, Object value, String origin, String why) {
    return key.type == ConfigDef.Type.PASSWORD
        ? InvalidConfigException.hidden(app, key.name, origin, why)
        : InvalidConfigException.of(app, key.name, value, origin, why);
  }

  private Optional<OpenPrefix> openPrefix(String key) {
    return openPrefixes.stream().filter(open -> key.startsWith(open.prefix())).findFirst();
  }

  private String openKey(String envName) {
    for (OpenPrefix open : openPrefixes) {
      String prefix = envName(open.prefix());
      if (open.fromEnvironment()
          && envName.startsWith(prefix)
          && envName.length() > prefix.length()) {
        return open.prefix()
            + envName.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
      }
    }
    return null;
  }

  private String placeholders() {
    List<String> open = new ArrayList<>();
    openPrefixes.forEach(prefix -> open.add(prefix.prefix() + prefix.placeholder()));
    return open.isEmpty() ? "" : ", or " + String.join(", ", open);
  }

  private String envPlaceholders() {
    List<String> open = new ArrayList<>();
    openPrefixes.stream()
        .filter(OpenPrefix::fromEnvironment)
        .forEach(prefix -> open.add(envName(prefix.prefix()) + "<NAME>"));
    return open.isEmpty() ? "" : ", or " + String.join(", ", open);
  }
}
