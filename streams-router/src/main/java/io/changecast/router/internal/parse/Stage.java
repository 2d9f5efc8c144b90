package io.changecast.router.internal.parse;

/** Where in the router a record was rejected (header {@code changecast.error.stage}). */
public enum Stage {
  DESERIALIZE("deserialize"),
  PARSE("parse"),
  RESOLVE_TENANT("resolve-tenant"),
  INGEST("ingest");

  private final String code;

  Stage(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
