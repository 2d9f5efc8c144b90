package io.changecast.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawPartitionsTest {

  @Test
  void murmur2IsKafkasHash() { // the vectors of Kafka's own UtilsTest
    assertThat(hash("21")).isEqualTo(-973932308);
    assertThat(hash("foobar")).isEqualTo(-790332482);
    assertThat(hash("a-little-bit-long-string")).isEqualTo(-985981536);
    assertThat(hash("a-little-bit-longer-string")).isEqualTo(-1486304829);
    assertThat(hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")).isEqualTo(-58897971);
    assertThat(hash("abc")).isEqualTo(479470107);
  }

  @Test
  void partitionIsThePositiveHashModuloTheCount() {
    assertThat(RawPartitions.partitionOf("foobar", 1)).isZero();
    assertThat(RawPartitions.partitionOf("foobar", 7)).isEqualTo((-790332482 & 0x7fffffff) % 7);
    assertThatThrownBy(() -> RawPartitions.partitionOf("acme", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions must be >= 1, found 0");
  }

  @Test
  void collectionPrefixIsThePartBeforeTheFirstSeparator() {
    assertThat(RawPartitions.collectionPrefix("acme_orders_2024", "_")).contains("acme");
    assertThat(RawPartitions.collectionPrefix("_orders", "_")).isEmpty();
    assertThat(RawPartitions.collectionPrefix("orders", "_")).isEmpty();
    assertThat(RawPartitions.collectionPrefix("acme__orders", "__")).contains("acme");
    assertThat(RawPartitions.collectionPrefix(null, "_")).isEmpty();
  }

  private static int hash(String text) {
    return RawPartitions.murmur2(text.getBytes(StandardCharsets.UTF_8));
  }
}
