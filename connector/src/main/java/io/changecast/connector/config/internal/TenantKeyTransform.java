package io.changecast.connector.config.internal;

import io.changecast.connector.transforms.TenantHeader;
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
 */
public record TenantKeyTransform(String alias, List<String> fields, String prefixSeparator) {

  /** The first tenant-keying transform of {@code config}, if any. */
  public static Optional<TenantKeyTransform> of(Map<String, String> config) {
    String aliases = config.get("transforms");
    if (aliases == null || aliases.isBlank()) {
      return Optional.empty();
    }
    for (String raw : aliases.split(",")) {
      String alias = raw.trim();
      String prefix = "transforms." + alias + ".";
      String type = config.getOrDefault(prefix + "type", "").trim();
      boolean keys =
          "true".equalsIgnoreCase(config.getOrDefault(prefix + TenantHeader.KEY_CONFIG, "").trim());
      if (type.equals(TenantHeader.Value.class.getName()) && keys) {
        List<String> fields =
            List.of(config.getOrDefault(prefix + TenantHeader.FIELD_CONFIG, "").split(",")).stream()
                .map(String::trim)
                .filter(f -> !f.isEmpty())
                .toList();
        return Optional.of(
            new TenantKeyTransform(
                alias,
                fields,
                config.getOrDefault(prefix + TenantHeader.PREFIX_SEPARATOR_CONFIG, "").trim()));
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
