package io.changecast.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The names other systems see on the wire: changing one breaks deployed consumers. */
class NamesTest {

  @Test
  void headersKeepTheirWireNames() {
    assertThat(HeaderNames.SOURCE_CLUSTER).isEqualTo("changecast.source.cluster");
    assertThat(HeaderNames.SOURCE_DB).isEqualTo("changecast.source.db");
    assertThat(HeaderNames.SOURCE_COLL).isEqualTo("changecast.source.coll");
    assertThat(HeaderNames.CONTROL).isEqualTo("changecast.control");
    assertThat(HeaderNames.TENANT).isEqualTo("changecast.tenant");
    assertThat(HeaderNames.ERROR_PREFIX).isEqualTo("changecast.error.");
  }

  @Test
  void controlTypesKeepTheirWireNames() {
    assertThat(ControlTypes.HISTORY_LOST).isEqualTo("history-lost");
    assertThat(ControlTypes.HEARTBEAT).isEqualTo("heartbeat");
    assertThat(ControlTypes.RESET).isEqualTo("changecast.reset");
    assertThat(ControlTypes.SOURCE_HISTORY_LOST).isEqualTo("source-history-lost");
  }

  @Test
  void envelopeFieldsKeepTheirWireNames() {
    assertThat(EnvelopeFields.ID).isEqualTo("id");
    assertThat(EnvelopeFields.TENANT).isEqualTo("tenant");
    assertThat(EnvelopeFields.TYPE).isEqualTo("type");
    assertThat(EnvelopeFields.CLUSTER_TIME).isEqualTo("clusterTime");
    assertThat(EnvelopeFields.ROUTED_AT).isEqualTo("routedAt");
    assertThat(EnvelopeFields.REASON).isEqualTo("reason");
  }
}
