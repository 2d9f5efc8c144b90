package io.changecast.spec.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * {@code runOnRequirements}: the test runs when any one requirement is met by the server's version
 * (from {@code buildInfo}) and topology; otherwise the reason names what each requirement asked.
 */
public final class Requirements {

  private Requirements() {}

  /** Why {@code requirements} exclude {@code server}, or empty when they allow it. */
  public static Optional<String> unmet(BsonArray requirements, SpecServer server) {
    if (requirements == null || requirements.isEmpty()) {
      return Optional.empty();
    }
    List<String> reasons = new ArrayList<>();
    for (BsonValue requirement : requirements) {
      Optional<String> reason = unmet(requirement.asDocument(), server);
      if (reason.isEmpty()) {
        return Optional.empty();
      }
      reasons.add(reason.get());
    }
    return Optional.of(String.join(" or ", reasons));
  }

  private static Optional<String> unmet(BsonDocument requirement, SpecServer server) {
    List<String> reasons = new ArrayList<>();
    String version = server.version();
    for (String key : requirement.keySet()) {
      BsonValue value = requirement.get(key);
      switch (key) {
        case "minServerVersion" -> {
          if (compare(version, value.asString().getValue()) < 0) {
            reasons.add("needs server >= " + value.asString().getValue() + " (is " + version + ")");
          }
        }
        case "maxServerVersion" -> {
          if (compare(version, value.asString().getValue()) > 0) {
            reasons.add("needs server <= " + value.asString().getValue() + " (is " + version + ")");
          }
        }
        case "topologies" -> {
          List<String> topologies =
              value.asArray().stream().map(t -> t.asString().getValue()).toList();
          if (!topologies.contains(server.topology())) {
            reasons.add("needs topology " + topologies + " (is " + server.topology() + ")");
          }
        }
        case "serverless" -> {
          if (value.asString().getValue().equals("require")) {
            reasons.add("needs serverless");
          }
        }
        case "auth" -> {
          if (value.asBoolean().getValue()) {
            reasons.add("needs authentication (the embedded server has none)");
          }
        }
        case "csfle" -> {
          if (value.asBoolean().getValue()) {
            reasons.add("needs client-side field level encryption");
          }
        }
        default -> reasons.add("the runner does not evaluate requirement " + key);
      }
    }
    return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", reasons));
  }

  /** Compares dotted versions; missing parts count as 0. */
  static int compare(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? part(x[i]) : 0;
      int q = i < y.length ? part(y[i]) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private static int part(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
