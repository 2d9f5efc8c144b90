package io.changecast.local;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code ./changecast local}: runs the whole pipeline on loopback until Ctrl-C. */
public final class LocalMain {

  private static final Logger log = LoggerFactory.getLogger(LocalMain.class);
  private static final long DEMO_PERIOD_MILLIS = 1000;

  private LocalMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.print(LocalOptions.USAGE);
      return;
    }
    LocalOptions options;
    try {
      options = LocalOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (!options.authEnabled()) {
      log.warn("AUTH IS OFF: local mode serves every tenant's stream to anyone on this machine.");
    }

    LocalStack stack = LocalStack.start(options);
    DemoWriter demo =
        options.demo() ? DemoWriter.start(stack.mongoConnectionString(), DEMO_PERIOD_MILLIS) : null;

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Stopping Changecast local...");
                  if (demo != null) {
                    demo.close();
                  }
                  stack.close();
                  stopped.countDown();
                },
                "changecast-shutdown"));

    printUrls(System.out, stack, options.demo(), options.authEnabled());
    stopped.await();
  }

  static void printUrls(PrintStream out, LocalStack stack, boolean demo, boolean auth) {
    String edge = stack.edgeUrl().toString();
    out.println();
    out.println(
        auth
            ? "Changecast local is running. Auth is ON (--edge auth.* settings)."
            : "Changecast local is running. Auth is OFF (local mode only).");
    out.printf("  Live viewer:              %s/?tenant=%s%n", edge, DemoWriter.TENANTS.get(0));
    for (String tenant : DemoWriter.TENANTS) {
      out.printf(
          "  SSE stream (%s):%s %s/v1/tenants/%s/events%n", tenant, pad(tenant), edge, tenant);
    }
    out.printf("  Try:                      curl -N %s/v1/tenants/acme/events%n", edge);
    out.printf(
        "  Replay from id 5:         curl -N -H 'Last-Event-ID: 5' %s/v1/tenants/acme/events%n",
        edge);
    out.printf("  Health / metrics:         %s/health/ready  %s/metrics%n", edge, edge);
    out.printf(
        "  MongoDB (write here):     %s  (database app, tenant field tenantId)%n",
        stack.mongoConnectionString());
    out.printf("  Kafka bootstrap:          %s%n", stack.kafkaBootstrapServers());
    out.printf("  Kafka Connect REST:       %s%n", stack.connectUrl());
    out.println(
        demo
            ? "  Demo writer: on (tenants acme and globex; --no-demo turns it off)"
            : "  Demo writer: off");
    out.println("Press Ctrl-C to stop.");
    out.println("READY " + edge);
    out.flush();
  }

  private static String pad(String tenant) {
    return " ".repeat(Math.max(0, 8 - tenant.length()));
  }
}
