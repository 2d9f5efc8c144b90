package io.changecast.edge.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void accessTokenValuesAreRedactedWhateverTheirSpelling() {
    assertThat(Redaction.query(null)).isNull();
    assertThat(Redaction.query("")).isEmpty();
    assertThat(Redaction.query("types=a.*&lastEventId=4")).isEqualTo("types=a.*&lastEventId=4");
    assertThat(Redaction.query("access_token=abc.def.ghi")).isEqualTo("access_token=[redacted]");
    assertThat(Redaction.query("types=x&access_token=abc&where=a%3D1"))
        .isEqualTo("types=x&access_token=[redacted]&where=a%3D1");
    assertThat(Redaction.query("ACCESS_TOKEN=abc;access%5Ftoken=def&access_token"))
        .isEqualTo("ACCESS_TOKEN=[redacted];access%5Ftoken=[redacted]&access_token=[redacted]");
    assertThat(Redaction.query("my_access_token=abc")).isEqualTo("my_access_token=abc");
  }
}
