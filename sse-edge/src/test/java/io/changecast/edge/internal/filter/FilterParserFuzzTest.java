package io.changecast.edge.internal.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Fuzzes the filter parsers: whatever the input, the only exception is {@link
 * FilterSyntaxException}, an accepted filter respects the limits, and evaluating it never throws.
 * Without {@code JAZZER_FUZZ=1} this runs the seed inputs only (the default build); the {@code
 * fuzz} Maven profile fuzzes for real.
 */
class FilterParserFuzzTest {
  private static final JsonNode ENVELOPE = envelope();

  @FuzzTest(maxDuration = "30s")
  void parserThrowsOnlyItsOwnException(FuzzedDataProvider data) {
    String types = data.consumeString(200);
    String where = data.consumeRemainingAsString();
    try {
      Expr expr = FilterParser.parse(where);
      assertThat(where.length()).isLessThanOrEqualTo(FilterParser.MAX_LENGTH);
      assertThat(nodes(expr)).isLessThanOrEqualTo(FilterParser.MAX_NODES);
      Evaluator.matches(expr, ENVELOPE);
    } catch (FilterSyntaxException e) {
      assertThat(e.position()).isBetween(0, Math.max(where.length(), FilterParser.MAX_LENGTH));
    }
    try {
      TypeFilter.parse(types).matches("orders.updated");
    } catch (FilterSyntaxException e) {
      assertThat(e.position()).isBetween(0, types.length());
    }
  }

  private static int nodes(Expr expr) {
    if (expr instanceof Expr.And and) {
      return 1 + and.operands().stream().mapToInt(FilterParserFuzzTest::nodes).sum();
    } else if (expr instanceof Expr.Or or) {
      return 1 + or.operands().stream().mapToInt(FilterParserFuzzTest::nodes).sum();
    } else if (expr instanceof Expr.Not not) {
      return 1 + nodes(not.operand());
    } else if (expr instanceof Expr.In in) {
      return 1 + in.values().size();
    }
    return 1;
  }

  private static JsonNode envelope() {
    try {
      return new ObjectMapper()
          .readTree(
              "{\"id\":\"7\",\"type\":\"orders.updated\",\"document\":{\"a\":1,\"b\":\"x\","
                  + "\"c\":{\"$numberLong\":\"5\"},\"d\":[1,2],\"e\":null}}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
