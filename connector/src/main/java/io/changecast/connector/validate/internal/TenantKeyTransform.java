package io.changecast.connector.validate.internal;

import io.changecast.connector.transforms.TenantHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link TenantHeader.Value} transform of a source config that keys raw records by tenant
 * ({@code key=true}), as the config checks and the dry-run read it.
 *
 * @param alias its alias in {@code transforms}
 * @param fields its {@code field} paths
 * @param prefixSeparator its {@code prefix.separator}, empty when unset
 * @param settings all its {@code transforms.<alias>.*} keys but {@code type}, without the prefix:
 *     what configures the transform itself
 */
public record TenantKeyTransform(
    String alias, List<String> fields, String prefixSeparator, Map<String, String> settings) {

  public TenantKeyTransform {
    fields = List.copyOf(fields);
    settings = Map.copyOf(settings);
  }

  /**
   * A {@link TenantHeader} transform declared in a config.
   *
   * @param alias its alias in {@code transforms}
   * @param type its {@code transforms.<alias>.type}, trimmed
   * @param settings its other {@code transforms.<alias>.*} keys, without the prefix
   */
  public record Declared(String alias, String type, Map<String, String> settings) {}

  /** The {@link TenantHeader} transforms of {@code config} (either variant), in alias order. */
  public static List<Declared> declared(Map<String, String> config) {
    String aliases = config.get("transforms");
    if (aliases == null || aliases.isBlank()) {
      return List.of();
    }
    List<Declared> declared = new ArrayList<>();
    for (String raw : aliases.split(",")) {
      String alias = raw.trim();
      String prefix = "transforms." + alias + ".";
      String type = config.getOrDefault(prefix + "type", "").trim();
      if (!type.startsWith(TenantHeader.class.getName() + "$")) {
        continue;
      }
      Map<String, String> settings = new HashMap<>();
      config.forEach(
          (key, value) -> {
            if (key.startsWith(prefix) && !key.equals(prefix + "type")) {
              settings.put(key.substring(prefix.length()), value);
            }
          });
      declared.add(new Declared(alias, type, settings));
    }
    return declared;
  }

  /** The first tenant-keying transform of {@code config}, if any. */
  public static Optional<TenantKeyTransform> of(Map<String, String> config) {
    for (Declared transform : declared(config)) {
      Map<String, String> settings = transform.settings();
      boolean keys =
          "true".equalsIgnoreCase(settings.getOrDefault(TenantHeader.KEY_CONFIG, "").trim());
      if (transform.type().equals(TenantHeader.Value.class.getName()) && keys) {
        List<String> fields =
            List.of(settings.getOrDefault(TenantHeader.FIELD_CONFIG, "").split(",")).stream()
                .map(String::trim)
                .filter(f -> !f.isEmpty())
                .toList();
        return Optional.of(
            new TenantKeyTransform(
                transform.alias(),
                fields,
                settings.getOrDefault(TenantHeader.PREFIX_SEPARATOR_CONFIG, "").trim(),
                settings));
      }
    }
    return Optional.empty();
  }

  /** Whether it reads the tenant from the document (a {@code field:} strategy). */
  public boolean readsDocuments() {
    return fields.stream().anyMatch(f -> f.startsWith("fullDocument"));
  }

  /** Whether it reads the pre-image, where a delete's tenant is. */
  public boolean readsPreImages() {
    return fields.stream().anyMatch(f -> f.startsWith("fullDocumentBeforeChange."));
  }
}
