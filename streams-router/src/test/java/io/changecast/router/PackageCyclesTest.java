package io.changecast.router;

import io.changecast.testsupport.PackageCycles;
import org.junit.jupiter.api.Test;

/** Every package of this module's main code is a slice; no two slices depend on each other. */
class PackageCyclesTest {

  @Test
  void packagesAreFreeOfCycles() {
    PackageCycles.assertFreeOfCycles("io.changecast.router");
  }
}
