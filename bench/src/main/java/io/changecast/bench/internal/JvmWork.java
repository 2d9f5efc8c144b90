package io.changecast.bench.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * This JVM's accumulated JIT compilation and garbage-collection time, in milliseconds: what the
 * compiler and the collectors took from a run that shares the JVM with them.
 */
record JvmWork(long compileMillis, long gcMillis) {

  static JvmWork now() {
    var compiler = ManagementFactory.getCompilationMXBean();
    long compile =
        compiler != null && compiler.isCompilationTimeMonitoringSupported()
            ? compiler.getTotalCompilationTime()
            : 0;
    long gc = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, collector.getCollectionTime());
    }
    return new JvmWork(compile, gc);
  }

  JvmWork minus(JvmWork earlier) {
    return new JvmWork(compileMillis - earlier.compileMillis, gcMillis - earlier.gcMillis);
  }
}
