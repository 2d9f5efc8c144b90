package io.changecast.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * Builds a {@link ConfigDef} group by group: each key gets its doc, type, default, validator, group
 * and order in the group. {@code null} as default means "not set" (an optional key).
 */
public final class ConfigKeys {

  private final ConfigDef definition = new ConfigDef();
  private String group = "";
  private int order;

  /** The following keys belong to {@code name}. */
  public ConfigKeys group(String name) {
    group = name;
    order = 0;
    return this;
  }

  /** A key that must be given. */
  public ConfigKeys required(String name, Type type, Validator validator, String doc) {
    return define(name, type, ConfigDef.NO_DEFAULT_VALUE, validator, Importance.HIGH, doc);
  }

  /** A key with a default ({@code null}: not set unless given). */
  public ConfigKeys optional(
      String name, Type type, Object defaultValue, Validator validator, String doc) {
    return define(name, type, defaultValue, validator, Importance.MEDIUM, doc);
  }

  /** The definition built so far. */
  public ConfigDef definition() {
    return definition;
  }

  private ConfigKeys define(
      String name,
      Type type,
      Object defaultValue,
      Validator validator,
      Importance importance,
      String doc) {
    definition.define(
        name, type, defaultValue, validator, importance, doc, group, ++order, Width.NONE, name);
    return this;
  }
}
