package io.changecast.config;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * A configuration that passed its {@link ConfigLoader}: {@link AbstractConfig}'s typed getters, the
 * entries under an open prefix, and where each value came from.
 */
public final class LoadedConfig extends AbstractConfig {

  private final ConfigLoader loader;
  private final Map<String, String> origins;

  LoadedConfig(ConfigLoader loader, Map<String, Object> originals, Map<String, String> origins) {
    super(loader.definition(), originals, false);
    this.loader = loader;
    this.origins = Map.copyOf(origins);
  }

  /** Whether {@code key} was given (rather than defaulted). */
  public boolean isSet(String key) {
    return originals().containsKey(key);
  }

  /** The text of optional key {@code key}; {@code null} when not set and without default. */
  public String text(String key) {
    Object value = get(key);
    return value == null ? null : value.toString();
  }

  /** The entries whose key starts with {@code prefix}, prefix removed, sorted by key. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> entries = new TreeMap<>();
    originalsWithPrefix(prefix).forEach((key, value) -> entries.put(key, value.toString()));
    return entries;
  }

  /**
   * Builds the application's config from this one; a refusal there (a cross-key check) is given the
   * origin of the key it names.
   */
  public <T> T build(java.util.function.Function<LoadedConfig, T> build) {
    try {
      return build.apply(this);
    } catch (InvalidConfigException e) {
      throw e.withOrigin(origins.get(e.key()));
    }
  }

  /**
   * A refusal of {@code key}'s value, in the loader's format, naming where it came from (a secret's
   * value hidden).
   */
  public InvalidConfigException invalid(String key, String reason) {
    ConfigDef.ConfigKey defined = loader.definition().configKeys().get(key);
    InvalidConfigException refused =
        defined != null && defined.type == ConfigDef.Type.PASSWORD
            ? InvalidConfigException.secret(loader.app(), key, reason)
            : InvalidConfigException.of(loader.app(), key, originals().get(key), reason);
    return refused.withOrigin(origins.get(key));
  }
}
