package io.changecast.edge.internal.filter;

/**
 * A filter that cannot be accepted: a syntax error or an exceeded limit, with the 0-based character
 * position where parsing stopped. The only exception {@link FilterParser} and {@link TypeFilter}
 * throw.
 */
public final class FilterSyntaxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int position;
  private final String reason;

  public FilterSyntaxException(String reason, int position) {
    super(reason + " at position " + position, null, false, false);
    this.reason = reason;
    this.position = position;
  }

  /** 0-based character offset in the filter text. */
  public int position() {
    return position;
  }

  /** What was wrong, without the position. */
  public String reason() {
    return reason;
  }
}
