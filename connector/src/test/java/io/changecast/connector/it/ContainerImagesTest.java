package io.changecast.connector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link ContainerImages}' decision, with or without a Docker engine: an image that cannot be had
 * aborts (skips) the caller, naming the image.
 */
class ContainerImagesTest {

  @Test
  void anImageThatCannotExistAbortsNamingIt() {
    assertThatThrownBy(() -> ContainerImages.assumeAvailable("changecast/no-such-image:never"))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("changecast/no-such-image:never")
        .hasMessageContaining("cannot be had");
  }

  /**
   * A registry that accepts connections and never answers (on the loopback, so the engine's pull
   * waits on it as on an unreachable registry's host): the pull is given up after the answer
   * timeout, and the abort says so. Without an engine the abort names the image all the same.
   */
  @Test
  void aRegistryThatNeverAnswersAbortsNamingTheImage() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = Collections.synchronizedList(new ArrayList<>());
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String image = "127.0.0.1:" + silent.getLocalPort() + "/changecast/silent:never";

      assertThatThrownBy(
              () ->
                  ContainerImages.unavailable(Duration.ofSeconds(2), DockerImageName.parse(image))
                      .ifPresent(Assumptions::abort))
          .isInstanceOf(TestAbortedException.class)
          .hasMessageContaining(image)
          .hasMessageContaining("cannot be had");
      for (Socket s : List.copyOf(held)) {
        s.close();
      }
    }
  }

  /** {@link ContainerImages#RYUK_IMAGE} is the one this Testcontainers version starts. */
  @Test
  void ryukImageIsTheLibrarys() throws IOException {
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("org/testcontainers/utility/RyukContainer.class")) {
      assertThat(in).isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))
          .contains(ContainerImages.RYUK_IMAGE);
    }
  }
}
