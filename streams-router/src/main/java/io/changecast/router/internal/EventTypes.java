package io.changecast.router.internal;

import io.changecast.router.ChangeEvent;

/** Event type names. */
public final class EventTypes {

  private EventTypes() {}

  /** The default type: {@code <collection>.<created|updated|replaced|deleted>}. */
  public static String byCollection(ChangeEvent event) {
    return event.collection() + "." + event.operation().typeSuffix();
  }
}
