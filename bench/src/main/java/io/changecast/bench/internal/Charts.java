package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts (XChart) from the JSON results of a directory, one set per mode: {@code
 * latency-cdf-<mode>.png}, {@code fan-out-deliveries-<mode>.png} and {@code
 * idle-memory-<mode>.png}. A chart without data is not written.
 */
public final class Charts {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** Writes the charts the results allow and returns their paths. */
  public static List<Path> write(Path resultsDir) {
    List<JsonNode> results = Summary.read(resultsDir);
    List<Path> written = new ArrayList<>();
    for (String mode : List.of("quick", "full")) {
      List<JsonNode> ofMode =
          results.stream().filter(r -> mode.equals(r.path("mode").asText())).toList();
      save(latencyCdf(ofMode), resultsDir.resolve("latency-cdf-" + mode + ".png"), written);
      save(fanOut(ofMode), resultsDir.resolve("fan-out-deliveries-" + mode + ".png"), written);
      save(idleMemory(ofMode), resultsDir.resolve("idle-memory-" + mode + ".png"), written);
    }
    return written;
  }

  private static void save(XYChart chart, Path file, List<Path> written) {
    if (chart.getSeriesMap().isEmpty()) {
      return;
    }
    try {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    written.add(file);
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setMarkerSize(6);
    return chart;
  }

  /** Delivery latency CDFs (fan-out, highest complete step) and end-to-end percentiles. */
  static XYChart latencyCdf(List<JsonNode> results) {
    XYChart chart = chart("Latency CDF", "latency (ms, log)", "percentile");
    chart.getStyler().setXAxisLogarithmic(true);
    for (JsonNode result : results) {
      String scenario = result.path("scenario").asText();
      if (scenario.equals("fan-out")) {
        for (JsonNode target : result.path("targets")) {
          for (JsonNode shape : target.path("shapes")) {
            JsonNode last = null;
            for (JsonNode step : shape.path("steps")) {
              if (step.path("complete").asBoolean() && step.path("cdfMs").size() > 0) {
                last = step;
              }
            }
            if (last == null) {
              continue;
            }
            List<double[]> points = new ArrayList<>();
            for (JsonNode point : last.path("cdfMs")) {
              points.add(new double[] {point.get(1).asDouble(), point.get(0).asDouble()});
            }
            add(
                chart,
                "%s fan-out %dx%d @ %d/s (routedAt->client)"
                    .formatted(
                        target.path("target").path("name").asText(),
                        shape.path("tenants").asInt(),
                        shape.path("subscribersPerTenant").asInt(),
                        last.path("targetDeliveriesPerSecond").asInt()),
                points);
          }
        }
      } else if (scenario.equals("latency")) {
        for (JsonNode run : result.path("runs")) {
          JsonNode total = run.path("hopsMs").path("total");
          List<double[]> points = new ArrayList<>();
          points.add(new double[] {total.path("p50Ms").asDouble(), 50});
          points.add(new double[] {total.path("p90Ms").asDouble(), 90});
          points.add(new double[] {total.path("p99Ms").asDouble(), 99});
          points.add(new double[] {total.path("maxMs").asDouble(), 100});
          add(
              chart,
              "end-to-end write->client @ %d writes/s".formatted(run.path("targetRate").asInt()),
              points);
        }
      }
    }
    return chart;
  }

  /** Best complete deliveries/s per subscriber count, per server and shape kind. */
  static XYChart fanOut(List<JsonNode> results) {
    XYChart chart = chart("Fan-out", "subscribers", "deliveries/s (best complete step)");
    Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
    for (JsonNode result : results) {
      if (!result.path("scenario").asText().equals("fan-out")) {
        continue;
      }
      for (JsonNode target : result.path("targets")) {
        for (JsonNode shape : target.path("shapes")) {
          if (!shape.path("best").has("deliveriesPerSecond")) {
            continue;
          }
          String name =
              target.path("target").path("name").asText()
                  + (shape.path("tenants").asInt() == 1 ? ", 1 tenant" : ", tenants x 10");
          series
              .computeIfAbsent(name, k -> new TreeMap<>())
              .put(
                  shape.path("subscribers").asInt(),
                  shape.path("best").path("deliveriesPerSecond").asDouble());
        }
      }
    }
    series.forEach((name, points) -> add(chart, name, toPoints(points)));
    return chart;
  }

  /** Server memory above idle against open connections. */
  static XYChart idleMemory(List<JsonNode> results) {
    XYChart chart = chart("Memory vs idle SSE connections", "connections", "MiB above idle");
    for (JsonNode result : results) {
      if (!result.path("scenario").asText().equals("idle-connections")) {
        continue;
      }
      for (JsonNode target : result.path("targets")) {
        String name = target.path("target").path("name").asText();
        JsonNode base = target.path("baseline");
        TreeMap<Integer, Double> rss = new TreeMap<>();
        TreeMap<Integer, Double> heap = new TreeMap<>();
        for (JsonNode point : target.path("points")) {
          int open = point.path("open").asInt();
          rss.put(open, mib(point.path("rssBytes").asLong() - base.path("rssBytes").asLong()));
          if (point.path("heapAfterGcBytes").asLong() >= 0
              && base.path("heapAfterGcBytes").asLong() >= 0) {
            heap.put(
                open,
                mib(
                    point.path("heapAfterGcBytes").asLong()
                        - base.path("heapAfterGcBytes").asLong()));
          }
        }
        add(chart, name + " RSS", toPoints(rss));
        add(chart, name + " heap after GC", toPoints(heap));
      }
    }
    return chart;
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static List<double[]> toPoints(TreeMap<Integer, Double> points) {
    List<double[]> list = new ArrayList<>();
    points.forEach((x, y) -> list.add(new double[] {x, y}));
    return list;
  }

  private static void add(XYChart chart, String name, List<double[]> points) {
    if (points.isEmpty() || chart.getSeriesMap().containsKey(name)) {
      return;
    }
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    for (int i = 0; i < points.size(); i++) {
      x[i] = Math.max(points.get(i)[0], 0.01); // log axes: no zero
      y[i] = points.get(i)[1];
    }
    chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
  }
}
