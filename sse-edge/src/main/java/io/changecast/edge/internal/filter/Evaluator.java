package io.changecast.edge.internal.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Evaluates a {@link Expr} against an envelope. Semantics: a path walks object fields from the
 * envelope's root; {@code = null} holds for JSON null and absent fields; strings compare with
 * strings, booleans with booleans, numbers numerically with numbers and with decimal strings (the
 * envelope's {@code id} is a string); MongoDB relaxed Extended JSON wrappers ({@code $numberLong},
 * {@code $numberDecimal}, {@code $numberInt}, {@code $numberDouble}, {@code $date}, {@code $oid})
 * are unwrapped first. An ordering comparison of different kinds is false; {@code !=} is the
 * negation of {@code =}.
 */
public final class Evaluator {
  private Evaluator() {}

  /** Whether {@code expr} holds for {@code envelope}. */
  public static boolean matches(Expr expr, JsonNode envelope) {
    if (expr instanceof Expr.And and) {
      return and.operands().stream().allMatch(e -> matches(e, envelope));
    } else if (expr instanceof Expr.Or or) {
      return or.operands().stream().anyMatch(e -> matches(e, envelope));
    } else if (expr instanceof Expr.Not not) {
      return !matches(not.operand(), envelope);
    } else if (expr instanceof Expr.In in) {
      JsonNode field = resolve(in.path(), envelope);
      return in.values().stream().anyMatch(v -> equal(field, v));
    } else if (expr instanceof Expr.Compare compare) {
      return compare(resolve(compare.path(), envelope), compare);
    }
    throw new IllegalStateException("unknown node " + expr);
  }

  private static boolean compare(JsonNode field, Expr.Compare compare) {
    return switch (compare.op()) {
      case EQ -> equal(field, compare.value());
      case NE -> !equal(field, compare.value());
      case LT -> order(field, compare.value()).map(c -> c < 0).orElse(false);
      case LE -> order(field, compare.value()).map(c -> c <= 0).orElse(false);
      case GT -> order(field, compare.value()).map(c -> c > 0).orElse(false);
      case GE -> order(field, compare.value()).map(c -> c >= 0).orElse(false);
    };
  }

  private static boolean equal(JsonNode field, Expr.Literal literal) {
    if (literal instanceof Expr.Bool bool) {
      return field.isBoolean() && field.booleanValue() == bool.value();
    } else if (literal instanceof Expr.Str str) {
      return field.isTextual() && field.textValue().equals(str.value());
    } else if (literal instanceof Expr.Num num) {
      return number(field).map(n -> n.compareTo(num.value()) == 0).orElse(false);
    }
    return field.isMissingNode() || field.isNull(); // Expr.Null
  }

  private static Optional<Integer> order(JsonNode field, Expr.Literal literal) {
    if (literal instanceof Expr.Str str && field.isTextual()) {
      return Optional.of(field.textValue().compareTo(str.value()));
    } else if (literal instanceof Expr.Num num) {
      return number(field).map(n -> n.compareTo(num.value()));
    }
    return Optional.empty();
  }

  private static Optional<BigDecimal> number(JsonNode field) {
    if (field.isNumber()) {
      return Optional.of(field.decimalValue());
    }
    if (field.isTextual()) {
      String text = field.textValue();
      if (text.length() <= 40 && text.matches("-?[0-9]+(\\.[0-9]+)?")) {
        return Optional.of(new BigDecimal(text));
      }
    }
    return Optional.empty();
  }

  private static JsonNode resolve(Expr.Path path, JsonNode envelope) {
    JsonNode node = envelope;
    for (String segment : path.segments()) {
      node = node.isObject() ? node.path(segment) : MissingNode.getInstance();
    }
    return unwrapExtendedJson(node);
  }

  private static JsonNode unwrapExtendedJson(JsonNode node) {
    if (node.isObject() && node.size() == 1) {
      String name = node.fieldNames().next();
      switch (name) {
        case "$numberLong", "$numberDecimal", "$numberInt", "$numberDouble", "$oid" -> {
          return node.get(name);
        }
        case "$date" -> {
          JsonNode date = node.get(name);
          return date.isObject() ? unwrapExtendedJson(date) : date;
        }
        default -> {
          return node;
        }
      }
    }
    return node;
  }
}
