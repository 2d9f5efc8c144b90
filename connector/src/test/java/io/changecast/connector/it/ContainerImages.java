package io.changecast.connector.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.ImageNameSubstitutor;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * Skips (JUnit assumption), never fails or hangs, an IT whose container images cannot be had: no
 * Docker engine answers, or an image is neither in the local engine nor pullable. Check before any
 * container starts (first thing in {@code @BeforeAll}; not with {@code @Container} fields, which
 * Testcontainers' extension starts before any of the class's code).
 *
 * <p>Testcontainers alone does not do this: with an engine and no reachable registry, {@code
 * DockerClientFactory.isDockerAvailable()} (and so {@code @Testcontainers(disabledWithoutDocker =
 * true)}) starts Ryuk, whose image pull is retried for {@code pull.timeout} (120 s) and more, then
 * throws instead of answering false; a lower {@code pull.timeout} still takes about 35 s, fails the
 * test rather than skipping it, and would cut a real pull of a large image short. So this helper
 * talks to the engine through Testcontainers' own Docker environment discovery (no Ryuk) and checks
 * Ryuk's image too, unless {@code TESTCONTAINERS_RYUK_DISABLED} is set.
 */
public final class ContainerImages {

  /**
   * How long a pull of a missing image may go without a word from its registry. An engine with a
   * reachable registry answers (the first progress line, or an error such as an unknown image)
   * within a second or two; one without can spend minutes resolving the registry's host. Once the
   * registry has answered, the pull goes on to completion (up to Testcontainers' {@code
   * pull.timeout}), however large the image.
   */
  static final Duration REGISTRY_ANSWER_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The reaper container Testcontainers starts with the first container of a JVM; kept in step with
   * the Testcontainers version ({@code ContainerImagesTest} checks it against the library).
   */
  static final String RYUK_IMAGE = "testcontainers/ryuk:0.14.0";

  private ContainerImages() {}

  /**
   * Returns if every image (and Ryuk's, where Ryuk is on) is in the local Docker engine, pulling
   * the missing ones; otherwise aborts the calling test or class with {@link #unavailable}'s
   * message. An abort in {@code @BeforeAll} is not reported per test by Surefire and Failsafe (the
   * class shows {@code Tests run: 0}): there, keep {@link #unavailable}'s answer and assume it in
   * {@code @BeforeEach}, as {@code MongoToEventsIT} does.
   */
  public static void assumeAvailable(DockerImageName... images) {
    unavailable(images).ifPresent(Assumptions::abort);
  }

  /** {@link #assumeAvailable(DockerImageName...)} for image names as strings. */
  public static void assumeAvailable(String... images) {
    assumeAvailable(
        Arrays.stream(images).map(DockerImageName::parse).toArray(DockerImageName[]::new));
  }

  /**
   * Why the images cannot all be had, naming the first that cannot (in the given order, then
   * Ryuk's), or empty once every one is in the local Docker engine (missing ones are pulled).
   * Returns within seconds: no engine, a pull that fails, or a registry that does not answer within
   * {@link #REGISTRY_ANSWER_TIMEOUT}. Images are named as Testcontainers names them: any {@link
   * ImageNameSubstitutor} (e.g. {@code hub.image.name.prefix}) applies.
   */
  public static Optional<String> unavailable(DockerImageName... images) {
    return unavailable(REGISTRY_ANSWER_TIMEOUT, images);
  }

  static Optional<String> unavailable(Duration registryAnswerTimeout, DockerImageName... images) {
    List<DockerImageName> needed = new ArrayList<>(Arrays.asList(images));
    if (!Boolean.parseBoolean(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
      needed.add(DockerImageName.parse(RYUK_IMAGE));
    }
    DockerClient docker;
    try {
      docker = engine();
    } catch (RuntimeException e) {
      return Optional.of(
          "no Docker engine answers, so the images "
              + needed
              + " cannot be had: "
              + e.getMessage());
    }
    try {
      for (DockerImageName image : needed) {
        Optional<String> failure = unavailable(docker, image, registryAnswerTimeout);
        if (failure.isPresent()) {
          return failure;
        }
      }
      return Optional.empty();
    } finally {
      try {
        docker.close();
      } catch (IOException e) {
        // only this check used it
      }
    }
  }

  /**
   * A client of the engine Testcontainers would use, found as Testcontainers finds it (its
   * strategies, {@code DOCKER_HOST}, {@code ~/.testcontainers.properties}) but without {@code
   * DockerClientFactory.client()}, which would start Ryuk. Without an engine this returns within
   * seconds ({@code client.ping.timeout} bounds each strategy's ping).
   */
  private static DockerClient engine() {
    return DockerClientProviderStrategy.getClientForConfig(
        DockerClientFactory.instance().getTransportConfig());
  }

  private static Optional<String> unavailable(
      DockerClient docker, DockerImageName image, Duration timeout) {
    DockerImageName resolved = ImageNameSubstitutor.instance().apply(image);
    String name =
        resolved.equals(image)
            ? image.asCanonicalNameString()
            : image.asCanonicalNameString() + " (as " + resolved.asCanonicalNameString() + ")";
    try {
      docker.inspectImageCmd(resolved.asCanonicalNameString()).exec();
      return Optional.empty();
    } catch (NotFoundException e) {
      // not local: pull it
    }
    return Optional.ofNullable(pull(docker, resolved, timeout))
        .map(failure -> "image " + name + " cannot be had: " + failure);
  }

  /** Pulls the image; returns why it could not, or null once it is in the engine. */
  private static String pull(DockerClient docker, DockerImageName image, Duration timeout) {
    int pullTimeout = TestcontainersConfiguration.getInstance().getImagePullTimeout();
    String notLocal = "not in the local Docker engine and the pull failed within ";
    Pull pull =
        docker
            .pullImageCmd(image.getUnversionedPart())
            .withTag(image.getVersionPart())
            .exec(new Pull());
    try {
      if (!pull.answered.await(timeout.toSeconds(), TimeUnit.SECONDS)) {
        return notLocal + timeout.toSeconds() + " s: no answer from its registry";
      }
      if (pull.error == null && !pull.awaitCompletion(pullTimeout, TimeUnit.SECONDS)) {
        return "not in the local Docker engine and its pull did not complete within "
            + pullTimeout
            + " s (Testcontainers' pull.timeout)";
      }
      return pull.error == null ? null : notLocal + timeout.toSeconds() + " s: " + pull.error;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while pulling";
    } finally {
      // Closes the response stream: the engine cancels an unfinished pull and docker-java's
      // stream thread ends, so nothing is left running or waited for.
      pull.closeQuietly();
    }
  }

  /**
   * Notes the registry's first answer: a progress line, the end of the pull, or an error (kept as
   * the reason, without the stack trace docker-java would log at ERROR).
   */
  private static final class Pull extends ResultCallback.Adapter<PullResponseItem> {
    final CountDownLatch answered = new CountDownLatch(1);
    volatile String error;

    @Override
    public void onNext(PullResponseItem item) {
      if (item.getErrorDetail() != null || item.getError() != null) {
        error =
            item.getErrorDetail() != null ? item.getErrorDetail().getMessage() : item.getError();
      }
      answered.countDown();
    }

    @Override
    public void onError(Throwable t) {
      error = String.valueOf(t.getMessage()).strip();
      answered.countDown();
      closeQuietly();
    }

    @Override
    public void onComplete() {
      answered.countDown();
      super.onComplete();
    }

    void closeQuietly() {
      try {
        close();
      } catch (IOException e) {
        // the stream is gone either way
      }
    }
  }
}
