package io.changecast.edge.internal.filter;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/** The typed tree of a {@code where} filter, produced by {@link FilterParser}. */
public sealed interface Expr {

  /** All of the operands hold (at least two). */
  record And(List<Expr> operands) implements Expr {
    public And {
      operands = List.copyOf(operands);
    }
  }

  /** Any of the operands holds (at least two). */
  record Or(List<Expr> operands) implements Expr {
    public Or {
      operands = List.copyOf(operands);
    }
  }

  /** The operand does not hold. */
  record Not(Expr operand) implements Expr {
    public Not {
      Objects.requireNonNull(operand);
    }
  }

  /** {@code path op literal}. */
  record Compare(Path path, Op op, Literal value) implements Expr {
    public Compare {
      Objects.requireNonNull(path);
      Objects.requireNonNull(op);
      Objects.requireNonNull(value);
    }
  }

  /** {@code path in (v1, v2, ...)}: the field equals one of the values. */
  record In(Path path, List<Literal> values) implements Expr {
    public In {
      Objects.requireNonNull(path);
      values = List.copyOf(values);
    }
  }

  /** Comparison operators. */
  enum Op {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /** A dotted path from the envelope's root, e.g. {@code document.status}. */
  record Path(List<String> segments) {
    public Path {
      segments = List.copyOf(segments);
      if (segments.isEmpty()) {
        throw new IllegalArgumentException("empty path");
      }
    }

    @Override
    public String toString() {
      return String.join(".", segments);
    }
  }

  /** A literal value. */
  sealed interface Literal {}

  /** A string literal. */
  record Str(String value) implements Literal {
    public Str {
      Objects.requireNonNull(value);
    }
  }

  /** A number literal. */
  record Num(BigDecimal value) implements Literal {
    public Num {
      Objects.requireNonNull(value);
    }
  }

  /** {@code true} or {@code false}. */
  record Bool(boolean value) implements Literal {}

  /** {@code null}: matches JSON null and absent fields. */
  record Null() implements Literal {}
}
