package io.changecast.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantIdTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"acme", "a", "A-Z_0.9", ".acme", "acme.", "a..b", "...", "_", "-", "64f1c0ffee"})
  void acceptsTheIdsValidBefore(String id) {
    assertThat(TenantId.check(id)).isEmpty();
    assertThat(TenantId.isValid(id)).isTrue();
  }

  @Test
  void acceptsTheLongestId() {
    assertThat(TenantId.isValid("a".repeat(TenantId.MAX_LENGTH))).isTrue();
  }

  @Test
  void refusesDotSegmentsNamingThePathTheyWouldResolveTo() {
    assertThat(TenantId.check(".."))
        .contains(
            "the tenant id \"..\" is a URL dot-segment: /v1/tenants/../events resolves to another"
                + " path");
    assertThat(TenantId.check(".")).get().asString().contains("dot-segment");
  }

  @Test
  void refusesAForbiddenCharacterNamingItAndWhere() {
    assertThat(TenantId.check("bad tenant/!"))
        .contains(
            "the tenant id \"bad tenant/!\" has U+0020 at index 3; a tenant id is 1 to 128 of the"
                + " characters A-Z a-z 0-9 . _ - (not . or ..)");
    assertThat(TenantId.check("a/b")).get().asString().contains("'/' (U+002F) at index 1");
    assertThat(TenantId.check("caf\u00e9")).get().asString().contains("'\u00e9' (U+00E9)");
    assertThat(TenantId.check("a\nb")).get().asString().contains("U+000A at index 1");
  }

  @Test
  void refusesEmptyMissingAndTooLong() {
    assertThat(TenantId.check(null)).contains("no tenant id");
    assertThat(TenantId.check("")).contains("the tenant id is empty");
    assertThat(TenantId.check("a".repeat(129)))
        .contains("the tenant id is 129 characters long, over 128");
  }
}
