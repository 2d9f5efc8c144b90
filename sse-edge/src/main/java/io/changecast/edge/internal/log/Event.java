package io.changecast.edge.internal.log;

import io.changecast.contract.TenantId;
import java.util.Objects;

/**
 * One retained event of a tenant: its tenant, its per-tenant sequence number (the SSE {@code id})
 * and its envelope as JSON on a single line. Equal when those three are equal.
 *
 * <p>A live event reaches every subscriber of its tenant as the same instance, so the instance also
 * keeps what is computed from it once for all of them ({@link SharedEncoding}): its SSE frame, its
 * WebSocket message, whether it is a reset. Those live and die with the instance.
 */
public final class Event {
  private final String tenant;
  private final long id;
  private final String json;

  /** The encodings made of this instance, newest first; immutable nodes, replaced as a whole. */
  private volatile Encoded encoded;

  private record Encoded(Object kind, Object value, Encoded next) {}

  /**
   * @param tenant the tenant (a valid {@link TenantId} value)
   * @param id the per-tenant sequence number, the SSE {@code id}
   * @param json the envelope as JSON on a single line
   */
  public Event(String tenant, long id, String json) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.json = Objects.requireNonNull(json, "json");
    if (id < 0) {
      throw new IllegalArgumentException("event id must not be negative: " + id);
    }
    if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("event JSON must be a single line");
    }
    this.id = id;
  }

  public String tenant() {
    return tenant;
  }

  public long id() {
    return id;
  }

  public String json() {
    return json;
  }

  /** The encoding of {@code kind} kept on this instance, or null. */
  Object encoding(Object kind) {
    for (Encoded e = encoded; e != null; e = e.next()) {
      if (e.kind() == kind) {
        return e.value();
      }
    }
    return null;
  }

  /**
   * Keeps an encoding of {@code kind}. Not atomic: two threads keeping encodings at once may lose
   * one, which is then only made again.
   */
  void keepEncoding(Object kind, Object value) {
    encoded = new Encoded(kind, value, encoded);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Event event
        && id == event.id
        && tenant.equals(event.tenant)
        && json.equals(event.json);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenant, id, json);
  }

  @Override
  public String toString() {
    return "Event[tenant=" + tenant + ", id=" + id + ", json=" + json + "]";
  }
}
