package io.changecast.router.config;

/**
 * The topics' partitioning cannot give each tenant one sequence of ids: a configuration error the
 * router stops on rather than retries.
 */
public final class SequencingException extends IllegalStateException {

  public SequencingException(String message) {
    super(message);
  }
}
