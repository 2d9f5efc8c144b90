package io.changecast.connector.source;

import com.mongodb.MongoException;
import com.mongodb.kafka.connect.source.MongoSourceTask;
import io.changecast.connector.source.internal.Broadcast;
import io.changecast.connector.source.internal.ControlRecords;
import io.changecast.connector.source.internal.DelegateContext;
import io.changecast.connector.source.internal.HistoryLost;
import io.changecast.connector.source.internal.Namespace;
import io.changecast.connector.source.internal.OverridableOffsets;
import io.changecast.connector.source.internal.PollSpans;
import io.changecast.connector.source.internal.SourceHeaders;
import io.changecast.tracing.Tracing;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the official {@link MongoSourceTask} and adds the source headers to its records (the
 * namespace from the change event's {@code ns}, or from the raw topic's name under {@code
 * publish.full.document.only=true}, whose values are bare documents or tombstones). When the resume
 * token is no longer in the oplog (error 286, at start or while streaming), it writes one {@code
 * history-lost} control record and continues by {@link HistoryLostPolicy}.
 *
 * <p>The control record carries the offset that replaces the stale resume token in Connect's offset
 * store: for {@code restart-from-now} one without a token, for {@code copy-existing} one marking a
 * copy in progress, for {@code fail} the stale token plus a marker. Each carries {@value
 * #LOST_AT_KEY}, so a task restarted before any newer offset was stored does not announce the same
 * loss twice.
 *
 * <p>On tenant-partitioned raw topics ({@value ChangecastSourceConfig#RAW_PARTITIONS_CONFIG} N
 * above 1) the events no tenant key places, the namespace-wide change events ({@code drop}, {@code
 * rename}, {@code dropDatabase}, {@code invalidate}) and the history-lost control record, are
 * written once to every partition 0..N-1 ({@link Broadcast}), so that each router task resets its
 * own tenants at the event's place in the change stream. Every copy but the last carries the offset
 * from before the event, so its offset is committed only once every copy is written.
 */
public final class ChangecastSourceTask extends SourceTask {

  /** Offset key: when the history loss was detected (epoch ms, decimal string). */
  public static final String LOST_AT_KEY = "changecast.history.lost";

  /** Offset key: the policy applied to the history loss. */
  public static final String LOST_POLICY_KEY = "changecast.history.lost.policy";

  private static final Logger LOG = LoggerFactory.getLogger(ChangecastSourceTask.class);
  private static final String ID_KEY = "_id";
  private static final String COPY_KEY = "copy";
  private static final String STARTUP_MODE = "startup.mode";
  private static final long ACK_TIMEOUT_SECONDS = 30;

  /** The service name of the connector's spans (OTEL_SERVICE_NAME overrides it). */
  public static final String SERVICE_NAME = "changecast-connector";

  private ChangecastSourceConfig config;

  private PollSpans spans;

  /** Values are bare documents: the namespace of a record comes from its topic, not its value. */
  private boolean fullDocumentOnly;

  private Map<String, Object> partition;

  /** {@value ChangecastSourceConfig#RAW_PARTITIONS_CONFIG}: copies of a namespace-wide event. */
  private int rawPartitions;

  private OverridableOffsets offsets;
  private volatile SourceTask delegate;

  /** Makes the official task (tests: a stand-in). */
  private final Supplier<SourceTask> delegates;

  private volatile boolean stopping;
  private volatile Map<String, Object> lastOffset;

  /** The control record (one copy per raw partition) not yet returned by poll. */
  private List<SourceRecord> pendingControl;

  /** The control records returned by poll, until Kafka acknowledged them. */
  private final Set<SourceRecord> unackedControls = identitySet();

  /** Counts the control records down as Kafka acknowledges them. */
  private volatile CountDownLatch controlAcked = new CountDownLatch(0);

  /**
   * Copies of a namespace-wide event but its last: the official task hears of the event once, with
   * the last copy.
   */
  private final Set<SourceRecord> extraCopies = identitySet();

  /** Thrown by poll once the control record is acknowledged ({@code fail} policy). */
  private ConnectException failure;

  /** The task Connect runs: the official {@link MongoSourceTask} inside. */
  public ChangecastSourceTask() {
    this(MongoSourceTask::new);
  }

  /** A task around the tasks {@code delegates} makes instead of the official one (tests). */
  ChangecastSourceTask(Supplier<SourceTask> delegates) {
    this.delegates = delegates;
  }

  @Override
  public String version() {
    return ChangecastSourceConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new ChangecastSourceConfig(props);
    OpenTelemetry telemetry = Tracing.openTelemetry(SERVICE_NAME);
    spans =
        telemetry == OpenTelemetry.noop()
            ? null // tracing off
            : new PollSpans(telemetry.getTracer(ChangecastSourceTask.class.getName()));
    fullDocumentOnly = config.fullDocumentOnly();
    partition = config.sourcePartition();
    rawPartitions = config.rawPartitions();
    offsets = new OverridableOffsets(context.offsetStorageReader(), partition);
    Map<String, Object> stored = offsets.stored();
    LOG.debug("Source partition {} starts from stored offset {}", partition, stored);
    String resumeMode = resumeModeAfterReset(stored);
    if (resumeMode != null) {
      LOG.info(
          "Source partition {} continues the reset after a lost history ({}): startup.mode={}",
          partition,
          stored,
          resumeMode);
      startDelegate(resumeMode);
      return;
    }
    try {
      startDelegate(null);
    } catch (RuntimeException e) {
      Optional<MongoException> lost = HistoryLost.in(e);
      if (lost.isEmpty()) {
        throw e;
      }
      onHistoryLost(stored, lost.get());
    }
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    if (pendingControl != null) {
      List<SourceRecord> control = pendingControl;
      pendingControl = null;
      unackedControls.addAll(control);
      return control;
    }
    if (failure != null) {
      if (!unackedControls.isEmpty()
          && !controlAcked.await(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS)
          && !stopping) {
        LOG.warn("The history-lost control record was not acknowledged in time; failing anyway");
      }
      throw failure;
    }
    SourceTask task = delegate;
    if (task == null) {
      return null;
    }
    List<SourceRecord> records;
    try {
      records = task.poll();
    } catch (RuntimeException e) {
      Optional<MongoException> lost = HistoryLost.in(e);
      if (lost.isEmpty() || stopping) {
        throw e;
      }
      stopDelegate();
      Map<String, Object> last = lastOffset;
      onHistoryLost(last != null ? last : offsets.stored(), lost.get());
      return poll();
    }
    if (records == null) {
      return null;
    }
    long polledAt = spans == null ? 0 : epochNanos();
    List<SourceRecord> out = null; // a new list only once a record is broadcast
    for (int i = 0; i < records.size(); i++) {
      SourceRecord record = records.get(i);
      if (spans != null) {
        spans.start(record, polledAt);
      }
      String operationType = null;
      if (fullDocumentOnly) {
        Namespace ns = config.namespaceOfTopic(record.topic());
        SourceHeaders.add(record, config.clusterName(), ns.db(), ns.coll());
      } else {
        operationType = SourceHeaders.addFromEvent(record, config.clusterName(), config.watched());
      }
      boolean ours = partition.equals(record.sourcePartition());
      Map<String, Object> before = ours ? lastOffset : null;
      if (ours && record.sourceOffset() != null) {
        Map<String, Object> offset = new HashMap<>(record.sourceOffset());
        lastOffset = offset;
        if (offsets.overridden()) {
          offsets.override(offset);
        }
      }
      if (rawPartitions > 1 && Broadcast.namespaceWide(operationType)) {
        if (out == null) {
          out = new ArrayList<>(records.subList(0, i));
        }
        List<SourceRecord> copies =
            Broadcast.copies(
                record, rawPartitions, ours && before == null ? offsets.offset(partition) : before);
        SourceRecord last = copies.get(copies.size() - 1);
        extraCopies.addAll(copies.subList(0, copies.size() - 1));
        if (spans != null) {
          spans.move(record, last);
        }
        out.addAll(copies);
        LOG.debug(
            "{} event written to each of the {} partitions of {}",
            operationType,
            rawPartitions,
            record.topic());
      } else if (out != null) {
        out.add(record);
      }
    }
    return out != null ? out : records;
  }

  @Override
  public void commitRecord(SourceRecord record, RecordMetadata metadata)
      throws InterruptedException {
    if (spans != null) {
      spans.end(record, metadata);
    }
    if (unackedControls.remove(record)) {
      controlAcked.countDown();
      return;
    }
    if (extraCopies.remove(record)) {
      return;
    }
    SourceTask task = delegate;
    if (task != null) {
      task.commitRecord(record, metadata);
    }
  }

  @Override
  public void stop() {
    stopping = true;
    CountDownLatch acked = controlAcked;
    while (acked.getCount() > 0) {
      acked.countDown();
    }
    stopDelegate();
    extraCopies.clear();
    if (spans != null) {
      spans.endAll();
    }
  }

  private static Set<SourceRecord> identitySet() {
    return Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static long epochNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /**
   * Announces the loss once, then applies the policy: fails (after the announcement is written), or
   * restarts the official task without the stale resume token.
   */
  private void onHistoryLost(Map<String, Object> stale, MongoException cause) {
    HistoryLostPolicy policy = config.historyLostPolicy();
    long detectedAt = System.currentTimeMillis();
    boolean announced = stale != null && stale.containsKey(LOST_AT_KEY);
    Map<String, Object> offset = new HashMap<>();
    if (policy == HistoryLostPolicy.FAIL && stale != null) {
      offset.putAll(stale);
    }
    if (policy == HistoryLostPolicy.COPY_EXISTING) {
      offset.put(COPY_KEY, "true");
    }
    offset.put(LOST_AT_KEY, announced ? stale.get(LOST_AT_KEY) : Long.toString(detectedAt));
    offset.put(LOST_POLICY_KEY, policy.value());
    String topic = config.rawTopic();
    if (announced) {
      LOG.warn(
          "The change-stream history of {} is still lost (already announced at {}); applying {}={}",
          partition,
          stale.get(LOST_AT_KEY),
          ChangecastSourceConfig.HISTORY_LOST_POLICY_CONFIG,
          policy);
    } else {
      LOG.warn(
          "The resume token of {} is no longer in the oplog ({} {}): writing a history-lost control"
              + " record to {}, then applying {}={}",
          partition,
          cause.getCode(),
          cause.getMessage(),
          topic,
          ChangecastSourceConfig.HISTORY_LOST_POLICY_CONFIG,
          policy);
      SourceRecord control =
          ControlRecords.historyLost(
              partition,
              offset,
              topic,
              config.watched(),
              policy.value(),
              detectedAt,
              config.clusterName());
      // on tenant-partitioned raw topics, one copy per partition: the lost history concerns every
      // tenant of the namespace, whichever router task holds it
      pendingControl =
          rawPartitions > 1 ? Broadcast.copies(control, rawPartitions, stale) : List.of(control);
      controlAcked = new CountDownLatch(pendingControl.size());
    }
    switch (policy) {
      case FAIL -> {
        failure =
            new ConnectException(
                "The change-stream history of "
                    + partition.get("ns")
                    + " is lost: its resume token is no longer in the oplog"
                    + " (ChangeStreamHistoryLost, 286), and "
                    + ChangecastSourceConfig.HISTORY_LOST_POLICY_CONFIG
                    + "=fail stops the task. A history-lost control record was written to "
                    + topic
                    + ". To continue, set "
                    + ChangecastSourceConfig.HISTORY_LOST_POLICY_CONFIG
                    + " to restart-from-now or copy-existing and restart the connector.",
                cause);
        if (pendingControl == null) {
          throw failure;
        }
      }
      case RESTART_FROM_NOW -> {
        offsets.override(offset);
        startDelegate("latest");
      }
      case COPY_EXISTING -> {
        offsets.override(offset);
        startDelegate("copy_existing");
      }
    }
  }

  /** The startup mode that continues an interrupted reset, or null when none is under way. */
  private static String resumeModeAfterReset(Map<String, Object> stored) {
    if (stored == null || stored.containsKey(ID_KEY) && !stored.containsKey(COPY_KEY)) {
      return null;
    }
    if (stored.containsKey(COPY_KEY)) {
      return "copy_existing";
    }
    return stored.containsKey(LOST_AT_KEY) ? "latest" : null;
  }

  private void startDelegate(String startupMode) {
    Map<String, String> props = config.delegateProps();
    if (startupMode != null) {
      props.put(STARTUP_MODE, startupMode);
    }
    SourceTask task = delegates.get();
    task.initialize(new DelegateContext(context, offsets));
    task.start(props);
    delegate = task;
  }

  private void stopDelegate() {
    SourceTask task = delegate;
    delegate = null;
    if (task != null) {
      try {
        task.stop();
      } catch (RuntimeException e) {
        LOG.warn("Error stopping the MongoDB source task", e);
      }
    }
  }
}
