package io.changecast.mongostandin;

/** A command line the stand-in does not accept; its message says why and what it accepts. */
public final class UsageException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The exit code of a rejected command line. */
  public static final int EXIT_CODE = 2;

  public UsageException(String message) {
    super(message);
  }
}
