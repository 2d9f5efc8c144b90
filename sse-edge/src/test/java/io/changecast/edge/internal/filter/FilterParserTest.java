package io.changecast.edge.internal.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FilterParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ENVELOPE =
      "{\"id\":\"42\",\"tenant\":\"acme\",\"type\":\"orders.updated\",\"operation\":\"update\","
          + "\"collection\":\"orders\",\"document\":{\"status\":\"paid\",\"total\":120.5,"
          + "\"count\":{\"$numberLong\":\"9000000000\"},\"vip\":true,\"note\":null,"
          + "\"address\":{\"city\":\"Oslo\"}},"
          + "\"changes\":{\"updatedFields\":{\"status\":\"paid\"},\"removedFields\":[]}}";

  private static boolean eval(String where) throws Exception {
    JsonNode envelope = JSON.readTree(ENVELOPE);
    return Evaluator.matches(FilterParser.parse(where), envelope);
  }

  @Test
  void parsesToATypedTree() {
    assertThat(FilterParser.parse("document.status = 'paid' and (a.b > 3 or not c in (1, 'x'))"))
        .isEqualTo(
            new Expr.And(
                List.of(
                    new Expr.Compare(
                        new Expr.Path(List.of("document", "status")),
                        Expr.Op.EQ,
                        new Expr.Str("paid")),
                    new Expr.Or(
                        List.of(
                            new Expr.Compare(
                                new Expr.Path(List.of("a", "b")),
                                Expr.Op.GT,
                                new Expr.Num(new BigDecimal("3"))),
                            new Expr.Not(
                                new Expr.In(
                                    new Expr.Path(List.of("c")),
                                    List.of(new Expr.Num(BigDecimal.ONE), new Expr.Str("x")))))))));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "type = 'orders.updated'                       | true",
        "type == \"orders.updated\"                    | true",
        "type != 'orders.updated'                      | false",
        "type <> 'orders.created'                      | true",
        "document.status = 'paid'                      | true",
        "document.status = 'PAID'                      | false",
        "document.total > 100                          | true",
        "document.total >= 120.5                       | true",
        "document.total < 120.5                        | false",
        "document.total <= 1.205e2                     | true",
        "document.count > 8999999999                   | true",
        "document.vip = true                           | true",
        "document.vip = false                          | false",
        "document.note = null                          | true",
        "document.missing = null                       | true",
        "document.missing != null                      | false",
        "document.status != null                       | true",
        "document.missing != 'x'                       | true",
        "document.missing > 1                          | false",
        "document.status > 1                           | false",
        "document.status > 'a'                         | true",
        "document.address.city = 'Oslo'                | true",
        "document.address.city.x = 'Oslo'              | false",
        "id > 41                                       | true",
        "id = 42                                       | true",
        "id = '42'                                     | true",
        "changes.updatedFields.status = 'paid'         | true",
        "operation in ('insert', 'update')             | true",
        "operation not in ('insert', 'update')         | false",
        "operation IN ('insert')                       | false",
        "not operation = 'delete'                      | true",
        "NOT (operation = 'delete' OR type = 'x')      | true",
        "a = 1 or b = 2 or document.vip = true         | true",
        "document.vip = true and document.total < 0    | false",
        "(((document.vip = true)))                     | true",
        "document.status = 'pa\\'id'                    | false",
        "document.total = -3                           | false",
      })
  void evaluates(String where, boolean expected) throws Exception {
    assertThat(eval(where)).as(where).isEqualTo(expected);
  }

  @Test
  void andBindsTighterThanOr() throws Exception {
    assertThat(eval("type = 'x' and document.vip = true or document.total > 1")).isTrue();
    assertThat(eval("type = 'x' and (document.vip = true or document.total > 1)")).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "``                                 | 0  | the filter is empty",
        "`   `                              | 3  | the filter is empty",
        "a =                                | 3  | expected a value, found the end",
        "a = 'x                             | 4  | unterminated string",
        "a 'x'                              | 2  | expected an operator",
        "= 1                                | 0  | expected a field name",
        "a = 1 and                          | 9  | expected a field name, found the end",
        "a = 1 b = 2                        | 6  | unexpected 'b = 2'",
        "(a = 1                             | 6  | expected ')', found the end",
        "a = 1)                             | 5  | unexpected ')'",
        "a in 1                             | 5  | expected '('",
        "a in (1,)                          | 8  | expected a value",
        "a not = 1                          | 6  | expected 'in' after 'not'",
        "and = 1                            | 0  | found the keyword 'and'",
        "a. = 1                             | 2  | expected a field name",
        "a = 1.                             | 6  | expected digits after '.'",
        "a = 12abc                          | 6  | in a number",
        "a = 'x\\n'                          | 6  | unknown escape",
        "a = @                              | 4  | expected a value",
        "a = 1e1234                         | 10 | exponent",
      })
  void rejectsWithThePosition(String where, int position, String reason) {
    assertThatThrownBy(() -> FilterParser.parse(where))
        .isInstanceOfSatisfying(
            FilterSyntaxException.class,
            e -> {
              assertThat(e.position()).as(where).isEqualTo(position);
              assertThat(e.reason()).contains(reason);
              assertThat(e.getMessage()).endsWith(" at position " + position);
            });
  }

  @Test
  void enforcesTheLengthLimit() {
    String ok = "a = '" + "x".repeat(FilterParser.MAX_LENGTH - 6) + "'";
    assertThat(ok).hasSize(FilterParser.MAX_LENGTH);
    assertThat(FilterParser.parse(ok)).isInstanceOf(Expr.Compare.class);
    assertThatThrownBy(() -> FilterParser.parse(ok + " "))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("longer than 1024");
  }

  @Test
  void enforcesTheNodeLimit() {
    String values = "1" + ", 1".repeat(FilterParser.MAX_NODES - 2);
    assertThat(FilterParser.parse("a in (" + values + ")")).isInstanceOf(Expr.In.class); // 64
    assertThatThrownBy(() -> FilterParser.parse("a in (" + values + ", 1)"))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("more than 64 nodes");
    String chain = "a = 1" + " or a = 1".repeat(64);
    assertThatThrownBy(() -> FilterParser.parse(chain))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("more than 64 nodes");
  }

  @Test
  void enforcesTheDepthLimit() {
    String eight =
        "(".repeat(FilterParser.MAX_DEPTH) + "a = 1" + ")".repeat(FilterParser.MAX_DEPTH);
    assertThat(FilterParser.parse(eight)).isInstanceOf(Expr.Compare.class);
    String nine = "(" + eight + ")";
    assertThatThrownBy(() -> FilterParser.parse(nine))
        .isInstanceOfSatisfying(
            FilterSyntaxException.class, e -> assertThat(e.position()).isEqualTo(8));
    assertThatThrownBy(() -> FilterParser.parse("not ".repeat(9) + "a = 1"))
        .isInstanceOf(FilterSyntaxException.class)
        .hasMessageContaining("deeper than 8");
    assertThatThrownBy(() -> FilterParser.parse("(".repeat(1000)))
        .isInstanceOf(FilterSyntaxException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"orders.*", "orders.updated,invoice.sent", "*", " orders.created , x* "})
  void acceptsTypeLists(String types) {
    assertThat(TypeFilter.parse(types)).isNotNull();
  }

  @Test
  void typeListsMatchExactlyOrByPrefix() {
    TypeFilter filter = TypeFilter.parse("orders.*,invoice.sent");
    assertThat(filter.matches("orders.updated")).isTrue();
    assertThat(filter.matches("invoice.sent")).isTrue();
    assertThat(filter.matches("invoice.sent2")).isFalse();
    assertThat(filter.matches("order")).isFalse();
    assertThat(TypeFilter.parse("*").matches("anything")).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {"a,,b | 2", "or*ders | 2", "a b | 1", "x,*y | 2", "`` | 0"})
  void rejectsBadTypeLists(String types, int position) {
    assertThatThrownBy(() -> TypeFilter.parse(types))
        .isInstanceOfSatisfying(
            FilterSyntaxException.class, e -> assertThat(e.position()).isEqualTo(position));
  }

  @Test
  void eventFilterCombinesTypesAndWhere() {
    EventFilter filter = EventFilter.parse("orders.*", "document.vip = true");
    assertThat(filter.matches(ENVELOPE)).isTrue();
    assertThat(EventFilter.parse("invoice.*", null).matches(ENVELOPE)).isFalse();
    assertThat(EventFilter.parse(null, "document.vip = false").matches(ENVELOPE)).isFalse();
    assertThat(EventFilter.parse(" ", "").passesAll()).isTrue();
    assertThat(filter.matches("not json")).isFalse();
    assertThatThrownBy(() -> EventFilter.parse(null, "a ="))
        .hasMessage("where: expected a value, found the end at position 3");
  }
}
