package io.changecast.edge.internal;

import java.util.regex.Pattern;

/** Tenant id syntax shared by the HTTP path and the event-log keys. */
public final class TenantId {
  /** Letters, digits, dot, underscore and dash; 1 to 128 characters. */
  public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private TenantId() {}

  public static boolean isValid(String tenant) {
    return tenant != null && PATTERN.matcher(tenant).matches();
  }
}
