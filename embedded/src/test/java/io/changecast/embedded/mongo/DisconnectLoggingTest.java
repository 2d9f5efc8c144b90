package io.changecast.embedded.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** A client that goes away (closing or resetting its connection) is not an error. */
@Timeout(60)
class DisconnectLoggingTest {

  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private EmbeddedMongo mongo;

  @BeforeEach
  void start() {
    logged.start();
    root.addAppender(logged);
    mongo = EmbeddedMongo.start(MongoOptions.defaults());
  }

  @AfterEach
  void stop() {
    mongo.close();
    root.detachAppender(logged);
  }

  @Test
  void aResetConnectionAndAClosedClientLogNoError() throws Exception {
    try (MongoClient client = MongoClients.create(mongo.connectionString())) {
      client.getDatabase("app").getCollection("orders").insertOne(new Document("_id", 1));
    }
    int resetPort;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", mongo.port()));
      // half a message header, then a reset (SO_LINGER 0) as a killed client leaves it
      socket.getOutputStream().write(new byte[] {64, 0, 0, 0, 1, 0});
      socket.getOutputStream().flush();
      socket.setSoLinger(true, 0);
      resetPort = socket.getLocalPort();
    }

    await().atMost(Duration.ofSeconds(20)).until(() -> closed(resetPort));
    List<ILoggingEvent> errors =
        events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertThat(errors).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  /** Whether the server has closed its side of the connection from {@code clientPort}. */
  private boolean closed(int clientPort) {
    return events().stream()
        .map(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.startsWith("channel ") && m.contains(":" + clientPort + "] closed"));
  }

  private List<ILoggingEvent> events() {
    synchronized (logged) {
      return List.copyOf(logged.list);
    }
  }
}
