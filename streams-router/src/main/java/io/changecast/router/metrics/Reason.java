package io.changecast.router.metrics;

/** Why a record went to the dead-letter topic: a short, bounded code (header and metric tag). */
public enum Reason {
  NULL_VALUE("null-value"),
  TOO_LARGE("too-large"),
  MALFORMED_JSON("malformed-json"),
  NOT_AN_OBJECT("not-an-object"),
  MISSING_FIELD("missing-field"),
  INVALID_FIELD("invalid-field"),
  UNSUPPORTED_OPERATION("unsupported-operation"),
  TENANT_UNRESOLVED("tenant-unresolved"),
  /** The tenant breaks the shared tenant id rule ({@code io.changecast.contract.TenantId}). */
  TENANT_INVALID("tenant-invalid"),
  TENANT_PARTITION("tenant-partition"),
  UNSUPPORTED_CONTROL("unsupported-control"),
  INVALID_CONTROL("invalid-control"),
  DESERIALIZATION_FAILED("deserialization-failed"),
  INTERNAL_ERROR("internal-error");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  /** The code written to headers and metric tags, e.g. {@code missing-field}. */
  public String code() {
    return code;
  }
}
