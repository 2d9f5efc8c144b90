package io.changecast.bench.internal;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.ContentType;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor of a snapshot request: a minimal Javalin server (the edge's framework and settings: no
 * compression) answering {@code GET /p/{i}} with the bytes of file {@code i} of its arguments, held
 * in memory; so the same bytes as the edge's answers, without reading any state. Run as a child
 * JVM: {@code FloorServer FILE...}; prints {@code PORT n} once it listens.
 */
public final class FloorServer {

  private FloorServer() {}

  public static void main(String[] args) throws IOException {
    List<byte[]> bodies = new ArrayList<>();
    for (String file : args) {
      bodies.add(Files.readAllBytes(Path.of(file)));
    }
    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.http.compressionStrategy = CompressionStrategy.NONE;
              cfg.routes.get(
                  "/p/{i}",
                  ctx -> {
                    int i = Integer.parseInt(ctx.pathParam("i"));
                    if (i < 0 || i >= bodies.size()) {
                      ctx.status(HttpStatus.NOT_FOUND);
                      return;
                    }
                    ctx.contentType(ContentType.APPLICATION_JSON).result(bodies.get(i));
                  });
            });
    app.start("127.0.0.1", 0);
    System.out.println("PORT " + app.port());
    System.out.flush();
  }
}
