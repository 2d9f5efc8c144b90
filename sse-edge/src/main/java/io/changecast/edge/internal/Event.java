package io.changecast.edge.internal;

import java.util.Objects;

/**
 * One retained event of a tenant.
 *
 * @param tenant the tenant (a valid {@link TenantId} value)
 * @param id the per-tenant sequence number, the SSE {@code id}
 * @param json the envelope as JSON on a single line
 */
public record Event(String tenant, long id, String json) {
  public Event {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(json, "json");
    if (id < 0) {
      throw new IllegalArgumentException("event id must not be negative: " + id);
    }
    if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("event JSON must be a single line");
    }
  }
}
