package io.changecast.bench;

import java.util.Locale;

/** How big a run is: {@code quick} finishes in well under 2 minutes, {@code full} is the record. */
public enum Mode {
  QUICK,
  FULL;

  /** The lower-case name used on the command line and in result file names. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
