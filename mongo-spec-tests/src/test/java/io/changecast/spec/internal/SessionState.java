package io.changecast.spec.internal;

import com.mongodb.client.ClientSession;
import java.lang.reflect.Field;

/**
 * A session's transaction state in the unified format's words ({@code none}, {@code starting},
 * {@code in_progress}, {@code committed}, {@code aborted}), read from the Java driver's session
 * implementation (it has no public accessor; the driver's own runner reads it the same way).
 */
final class SessionState {

  private SessionState() {}

  static String of(ClientSession session) {
    try {
      String state = String.valueOf(field(session, "transactionState"));
      return switch (state) {
        case "NONE" -> "none";
        case "COMMITTED" -> "committed";
        case "ABORTED" -> "aborted";
        case "IN" ->
            Boolean.TRUE.equals(field(session, "messageSentInCurrentTransaction"))
                ? "in_progress"
                : "starting";
        default -> state;
      };
    } catch (ReflectiveOperationException e) {
      throw new UnsupportedOperationException("assertSessionTransactionState: " + e, e);
    }
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(name);
  }
}
