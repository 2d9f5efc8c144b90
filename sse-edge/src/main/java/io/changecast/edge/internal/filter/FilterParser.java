package io.changecast.edge.internal.filter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hand-written recursive-descent parser of {@code where} filters. Grammar (keywords are
 * case-insensitive):
 *
 * <pre>
 * filter     := or EOF
 * or         := and ( "or" and )*
 * and        := unary ( "and" unary )*
 * unary      := "not" unary | "(" or ")" | comparison
 * comparison := path ( op literal | ["not"] "in" "(" literal ( "," literal )* ")" )
 * op         := "=" | "==" | "!=" | "&lt;&gt;" | "&lt;" | "&lt;=" | "&gt;" | "&gt;="
 * path       := name ( "." name )*          name := [A-Za-z_$][A-Za-z0-9_$]*
 * literal    := 'text' | "text" | number | true | false | null
 * </pre>
 *
 * Limits: {@value #MAX_LENGTH} characters, {@value #MAX_NODES} nodes (each comparison, {@code
 * and}/{@code or}/{@code not} and {@code in} value counts), at most {@value #MAX_DEPTH} levels of
 * parentheses and {@code not} inside each other. Every failure is a {@link FilterSyntaxException}
 * with the position where parsing stopped.
 */
public final class FilterParser {
  public static final int MAX_LENGTH = 1024;
  public static final int MAX_NODES = 64;
  public static final int MAX_DEPTH = 8;
  private static final int MAX_PATH_SEGMENTS = 16;

  private final String text;
  private int pos;
  private int nodes;
  private int nesting;

  private FilterParser(String text) {
    this.text = text;
  }

  /** Parses {@code text} to a tree, or throws {@link FilterSyntaxException}. */
  public static Expr parse(String text) {
    if (text == null) {
      throw new FilterSyntaxException("the filter is empty", 0);
    }
    if (text.length() > MAX_LENGTH) {
      throw new FilterSyntaxException(
          "the filter is longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
    }
    FilterParser parser = new FilterParser(text);
    parser.skipSpace();
    if (parser.atEnd()) {
      throw new FilterSyntaxException("the filter is empty", parser.pos);
    }
    Expr expr = parser.or();
    parser.skipSpace();
    if (!parser.atEnd()) {
      throw parser.error("unexpected '" + parser.snippet() + "'");
    }
    return expr;
  }

  private Expr or() {
    skipSpace();
    int start = pos;
    List<Expr> operands = new ArrayList<>();
    operands.add(and());
    while (keyword("or")) {
      operands.add(and());
    }
    return operands.size() == 1 ? operands.get(0) : count(new Expr.Or(operands), start);
  }

  private Expr and() {
    skipSpace();
    int start = pos;
    List<Expr> operands = new ArrayList<>();
    operands.add(unary());
    while (keyword("and")) {
      operands.add(unary());
    }
    return operands.size() == 1 ? operands.get(0) : count(new Expr.And(operands), start);
  }

  private Expr unary() {
    skipSpace();
    int start = pos;
    if (keyword("not")) {
      enter(start);
      Expr operand = unary();
      nesting--;
      return count(new Expr.Not(operand), start);
    }
    if (symbol("(")) {
      enter(start);
      Expr inner = or();
      expect(")");
      nesting--;
      return inner;
    }
    return comparison();
  }

  private Expr comparison() {
    skipSpace();
    int start = pos;
    Expr.Path path = path();
    skipSpace();
    boolean negated = keyword("not");
    if (keyword("in")) {
      expect("(");
      List<Expr.Literal> values = new ArrayList<>();
      do {
        values.add(literal());
        count(null, pos);
      } while (symbol(","));
      expect(")");
      Expr in = count(new Expr.In(path, values), start);
      return negated ? count(new Expr.Not(in), start) : in;
    }
    if (negated) {
      throw error("expected 'in' after 'not'");
    }
    Expr.Op op = operator();
    return count(new Expr.Compare(path, op, literal()), start);
  }

  private Expr.Path path() {
    List<String> segments = new ArrayList<>();
    skipSpace();
    do {
      int start = pos;
      if (atEnd() || !isNameStart(text.charAt(pos))) {
        throw error(atEnd() ? "expected a field name, found the end" : "expected a field name");
      }
      while (!atEnd() && isNamePart(text.charAt(pos))) {
        pos++;
      }
      String name = text.substring(start, pos);
      if (isKeyword(name)) {
        pos = start;
        throw error("expected a field name, found the keyword '" + name + "'");
      }
      segments.add(name);
      if (segments.size() > MAX_PATH_SEGMENTS) {
        throw error("a path has at most " + MAX_PATH_SEGMENTS + " parts");
      }
    } while (!atEnd() && text.charAt(pos) == '.' && ++pos > 0);
    return new Expr.Path(segments);
  }

  private Expr.Op operator() {
    skipSpace();
    if (symbol("==") || symbol("=")) {
      return Expr.Op.EQ;
    }
    if (symbol("!=") || symbol("<>")) {
      return Expr.Op.NE;
    }
    if (symbol("<=")) {
      return Expr.Op.LE;
    }
    if (symbol(">=")) {
      return Expr.Op.GE;
    }
    if (symbol("<")) {
      return Expr.Op.LT;
    }
    if (symbol(">")) {
      return Expr.Op.GT;
    }
    throw error("expected an operator (= != < <= > >= in)");
  }

  private Expr.Literal literal() {
    skipSpace();
    if (atEnd()) {
      throw error("expected a value, found the end");
    }
    char c = text.charAt(pos);
    if (c == '\'' || c == '"') {
      return new Expr.Str(string(c));
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number();
    }
    if (keyword("true")) {
      return new Expr.Bool(true);
    }
    if (keyword("false")) {
      return new Expr.Bool(false);
    }
    if (keyword("null")) {
      return new Expr.Null();
    }
    throw error("expected a value (a quoted string, a number, true, false or null)");
  }

  private String string(char quote) {
    int start = pos;
    pos++; // opening quote
    StringBuilder value = new StringBuilder();
    while (!atEnd()) {
      char c = text.charAt(pos++);
      if (c == quote) {
        return value.toString();
      }
      if (c == '\\') {
        if (atEnd()) {
          break;
        }
        char escaped = text.charAt(pos++);
        if (escaped != '\\' && escaped != '\'' && escaped != '"') {
          pos -= 2;
          throw error("unknown escape '\\" + escaped + "' (only \\\\ \\' \\\" are allowed)");
        }
        value.append(escaped);
      } else {
        value.append(c);
      }
    }
    pos = start;
    throw error("unterminated string");
  }

  private Expr.Num number() {
    int start = pos;
    if (text.charAt(pos) == '-') {
      pos++;
    }
    int digits = digits();
    if (digits == 0) {
      pos = start;
      throw error("expected a number");
    }
    if (!atEnd() && text.charAt(pos) == '.') {
      pos++;
      if (digits() == 0) {
        throw error("expected digits after '.'");
      }
    }
    if (!atEnd() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      pos++;
      if (!atEnd() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      int exponentStart = pos;
      if (digits() == 0 || pos - exponentStart > 3) {
        throw error("expected an exponent of 1 to 3 digits");
      }
    }
    if (!atEnd() && isNamePart(text.charAt(pos))) {
      throw error("unexpected '" + text.charAt(pos) + "' in a number");
    }
    return new Expr.Num(new BigDecimal(text.substring(start, pos)));
  }

  private int digits() {
    int start = pos;
    while (!atEnd() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
      pos++;
    }
    return pos - start;
  }

  private <T extends Expr> T count(T node, int start) {
    if (++nodes > MAX_NODES) {
      throw new FilterSyntaxException("the filter has more than " + MAX_NODES + " nodes", start);
    }
    return node;
  }

  /** One more level of parentheses or {@code not}; bounds the recursion too. */
  private void enter(int start) {
    if (++nesting > MAX_DEPTH) {
      throw new FilterSyntaxException(
          "the filter nests parentheses and 'not' deeper than " + MAX_DEPTH + " levels", start);
    }
  }

  private void expect(String symbol) {
    if (!symbol(symbol)) {
      throw error(
          atEnd() ? "expected '" + symbol + "', found the end" : "expected '" + symbol + "'");
    }
  }

  private boolean symbol(String symbol) {
    skipSpace();
    if (text.startsWith(symbol, pos)) {
      pos += symbol.length();
      return true;
    }
    return false;
  }

  /** Consumes {@code word} (any case) when it is a whole word at the current position. */
  private boolean keyword(String word) {
    skipSpace();
    int end = pos + word.length();
    if (end <= text.length()
        && text.regionMatches(true, pos, word, 0, word.length())
        && (end == text.length() || !isNamePart(text.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private static boolean isKeyword(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "and", "or", "not", "in", "true", "false", "null" -> true;
      default -> false;
    };
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }

  private void skipSpace() {
    while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private String snippet() {
    return text.substring(pos, Math.min(text.length(), pos + 10));
  }

  private FilterSyntaxException error(String reason) {
    return new FilterSyntaxException(reason, pos);
  }
}
