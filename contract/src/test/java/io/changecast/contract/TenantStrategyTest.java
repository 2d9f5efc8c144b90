package io.changecast.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TenantStrategyTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "field:tenantId|field:tenantId",
        " field:owner.tenant |field:owner.tenant",
        "database|database",
        "collection-prefix:_|collection-prefix:_",
        "collection-prefix:--|collection-prefix:--",
        "static:acme|static:acme"
      })
  void parsesEachFormBackToItsSpec(String spec, String expected) {
    TenantStrategy strategy = TenantStrategy.parse(spec);
    assertThat(strategy.spec()).isEqualTo(expected);
    assertThat(TenantStrategy.parse(strategy.spec())).isEqualTo(strategy);
  }

  @Test
  void parsesToTheSealedCases() {
    assertThat(TenantStrategy.parse("field:a.b"))
        .isEqualTo(new TenantStrategy.Field(List.of("a", "b")));
    assertThat(TenantStrategy.parse("database")).isEqualTo(new TenantStrategy.Database());
    assertThat(TenantStrategy.parse("collection-prefix:_"))
        .isEqualTo(new TenantStrategy.CollectionPrefix("_"));
    assertThat(TenantStrategy.parse("static:acme")).isEqualTo(new TenantStrategy.Static("acme"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "field:|field needs a path, e.g. field:tenantId",
        "field:owner..tenant|Invalid tenant field path 'owner..tenant'",
        "field:.tenant|Invalid tenant field path '.tenant'",
        "collection-prefix|collection-prefix needs a separator, e.g. collection-prefix:_",
        "collection-prefix:|collection-prefix needs a separator, e.g. collection-prefix:_",
        "static:|static needs a tenant, e.g. static:acme",
        "static: |static needs a tenant, e.g. static:acme",
        "static:..|static:..: the tenant id \"..\" is a URL dot-segment: /v1/tenants/../events"
            + " resolves to another path",
        "static:a/b|static:a/b: the tenant id \"a/b\" has '/' (U+002F) at index 1; a tenant id is 1"
            + " to 128 of the characters A-Z a-z 0-9 . _ - (not . or ..)",
        "database:x|expected field:<path>, database, collection-prefix:<separator> or"
            + " static:<tenant>",
        "tenantId|expected field:<path>, database, collection-prefix:<separator> or"
            + " static:<tenant>",
        "''|expected field:<path>, database, collection-prefix:<separator> or static:<tenant>"
      })
  void refusesABadSpecSayingWhy(String spec, String message) {
    assertThatThrownBy(() -> TenantStrategy.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void refusesNoSpec() {
    assertThatThrownBy(() -> TenantStrategy.parse(null))
        .hasMessage("expected " + TenantStrategy.FORMS);
  }

  @Test
  void fieldReadsStringsWholeNumbersAndIdWrappers() {
    TenantStrategy field = TenantStrategy.parse("field:owner.tenant");
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", "acme")))).contains("acme");
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", 42)))).contains("42");
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", 42L)))).contains("42");
    assertThat(
            resolve(
                field, Map.of("owner", Map.of("tenant", new BigInteger("123456789012345678901")))))
        .contains("123456789012345678901");
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", Map.of("$oid", "65a1")))))
        .contains("65a1");
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", Map.of("$numberLong", "7")))))
        .contains("7");
  }

  @Test
  void fieldNamesNoTenantForAnythingElse() {
    TenantStrategy field = TenantStrategy.parse("field:owner.tenant");
    assertThat(resolve(field, null)).isEmpty();
    assertThat(resolve(field, Map.of())).isEmpty();
    assertThat(resolve(field, Map.of("owner", "acme"))).isEmpty();
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", " ")))).isEmpty();
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", 1.5)))).isEmpty();
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", true)))).isEmpty();
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", List.of("acme"))))).isEmpty();
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", Map.of("$oid", 5))))).isEmpty();
    assertThat(resolve(field, Map.of("owner", Map.of("tenant", Map.of("$oid", "a", "b", "c")))))
        .isEmpty();
    assertThat(field.fromNamespace()).isFalse();
  }

  @Test
  void namespaceStrategiesReadTheNamespaceOnly() {
    Map<String, Object> doc = Map.of("tenantId", "other");
    TenantStrategy database = TenantStrategy.parse("database");
    assertThat(database.resolve("acme", "orders", doc, DocumentReader.PLAIN)).contains("acme");
    assertThat(database.resolve(" ", "orders", doc, DocumentReader.PLAIN)).isEmpty();
    TenantStrategy prefix = TenantStrategy.parse("collection-prefix:_");
    assertThat(prefix.resolve("app", "acme_orders", doc, DocumentReader.PLAIN)).contains("acme");
    assertThat(prefix.resolve("app", "_orders", doc, DocumentReader.PLAIN)).isEmpty();
    assertThat(prefix.resolve("app", "orders", doc, DocumentReader.PLAIN)).isEmpty();
    TenantStrategy fixed = TenantStrategy.parse("static:acme");
    assertThat(fixed.resolve("app", "orders", null, DocumentReader.PLAIN)).contains("acme");
    assertThat(List.of(database, prefix, fixed)).allMatch(TenantStrategy::fromNamespace);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "acme_orders|orders",
        "acme_orders_old|orders_old",
        "orders|orders",
        "_orders|_orders",
        "acme_|acme_"
      })
  void collectionPrefixCutsTheBaseCollection(String pair) {
    String[] parts = pair.split("\\|");
    assertThat(new TenantStrategy.CollectionPrefix("_").baseCollection(parts[0]))
        .isEqualTo(parts[1]);
    assertThat(new TenantStrategy.Database().baseCollection(parts[0])).isEqualTo(parts[0]);
  }

  private static Optional<String> resolve(TenantStrategy strategy, Object document) {
    return strategy.resolve("app", "orders", document, DocumentReader.PLAIN);
  }
}
