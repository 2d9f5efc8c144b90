package io.changecast.connector.transforms;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.changecast.connector.source.ChangecastSourceConnector;
import io.changecast.contract.DocumentReader;
import io.changecast.contract.HeaderNames;
import io.changecast.contract.RawPartitions;
import io.changecast.contract.TenantStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Sets a header naming the record's tenant, read from a field of the record's key ({@link Key}) or
 * value ({@link Value}), so that consumers and sink connectors can route by tenant without parsing
 * the record. Works on {@code Struct}s (with schema), {@code Map}s (schemaless) and JSON text (the
 * changecast raw topics' {@code StringConverter} values). The field's value gives the tenant by the
 * router's rule ({@link TenantStrategy.Field}): a string, a whole number, or an Extended JSON
 * {@code $oid}/{@code $numberLong} wrapper; anything else gives none.
 *
 * <pre>
 * transforms=tenant
 * transforms.tenant.type=io.changecast.connector.transforms.TenantHeader$Value
 * transforms.tenant.field=fullDocument.tenantId,fullDocumentBeforeChange.tenantId
 * </pre>
 *
 * <p>With {@code key=true} it also replaces the record key by the tenant (a string, like Kafka's
 * {@code ValueToKey}), so Kafka's default partitioner puts each tenant in one partition of a
 * tenant-partitioned raw topic ({@link RawPartitions}): {@code field=ns.db} for the router's {@code
 * database} strategy, {@code field=ns.coll} with {@code prefix.separator=_} for {@code
 * collection-prefix:_}. A record without tenant then keeps its key (and the router dead-letters it
 * on a partitioned topic), unless {@code on.missing=fail}.
 *
 * <p>A record whose partition is already chosen ({@code kafkaPartition} set: Changecast's source
 * connector writes each namespace-wide event and history-lost control record once to every
 * partition) keeps its key and partition: {@code key=true} does not rekey it and {@code
 * on.missing=fail} does not fail it; it gets the header when a field names a tenant.
 */
public abstract class TenantHeader<R extends ConnectRecord<R>>
    implements Transformation<R>, Versioned {

  public static final String OVERVIEW_DOC =
      "Set a header (default <code>changecast.tenant</code>) to the tenant read from a field of"
          + " the record's key (<code>"
          + TenantHeader.class.getName()
          + "$Key</code>) or value (<code>"
          + TenantHeader.class.getName()
          + "$Value</code>): a Struct, a Map or JSON text.";

  public static final String FIELD_CONFIG = "field";
  public static final String HEADER_CONFIG = "header";
  public static final String ON_MISSING_CONFIG = "on.missing";
  public static final String KEY_CONFIG = "key";
  public static final String PREFIX_SEPARATOR_CONFIG = "prefix.separator";

  private static final String PURPOSE = "tenant header";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@link DocumentReader#PLAIN}, plus Connect {@code Struct}s. */
  private static final DocumentReader<Object> CONNECT =
      new DocumentReader<>() {
        @Override
        public Object field(Object node, String name) {
          if (node instanceof Struct struct) {
            Field field = struct.schema().field(name);
            return field == null ? null : struct.get(field);
          }
          return PLAIN.field(node, name);
        }

        @Override
        public int size(Object node) {
          return node instanceof Struct struct ? struct.schema().fields().size() : PLAIN.size(node);
        }

        @Override
        public String text(Object node) {
          return PLAIN.text(node);
        }

        @Override
        public String wholeNumber(Object node) {
          return PLAIN.wholeNumber(node);
        }
      };

  public static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              FIELD_CONFIG,
              ConfigDef.Type.LIST,
              ConfigDef.NO_DEFAULT_VALUE,
              new PathsValidator(),
              ConfigDef.Importance.HIGH,
              "Dotted paths of the field holding the tenant, e.g. fullDocument.tenantId; with"
                  + " several, comma-separated, the first present one wins.")
          .define(
              HEADER_CONFIG,
              ConfigDef.Type.STRING,
              HeaderNames.TENANT,
              new ConfigDef.NonEmptyString(),
              ConfigDef.Importance.MEDIUM,
              "The header to set. An existing header of that name is replaced.")
          .define(
              ON_MISSING_CONFIG,
              ConfigDef.Type.STRING,
              OnMissing.SKIP.value(),
              ConfigDef.ValidString.in(OnMissing.SKIP.value(), OnMissing.FAIL.value()),
              ConfigDef.Importance.MEDIUM,
              "When no path gives a tenant (e.g. a delete without pre-image): 'skip' passes the"
                  + " record on without the header, 'fail' fails it (Connect's errors.tolerance"
                  + " then applies).")
          .define(
              KEY_CONFIG,
              ConfigDef.Type.BOOLEAN,
              false,
              ConfigDef.Importance.MEDIUM,
              "Also set the record key to the tenant (a string), so that Kafka's default"
                  + " partitioner puts each tenant in one partition of a tenant-partitioned raw"
                  + " topic.")
          .define(
              PREFIX_SEPARATOR_CONFIG,
              ConfigDef.Type.STRING,
              "",
              ConfigDef.Importance.MEDIUM,
              "When set, the tenant is the part of the field's value before the first separator"
                  + " (the router's collection-prefix:<separator> with field=ns.coll); a value"
                  + " without such a prefix gives no tenant.");

  /** What to do when no field gives a tenant. */
  public enum OnMissing {
    SKIP,
    FAIL;

    /** The config value, e.g. {@code skip}. */
    public String value() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The policy named by {@code value} (case-insensitive). */
    public static OnMissing parse(String value) {
      for (OnMissing policy : values()) {
        if (policy.value().equalsIgnoreCase(value == null ? "" : value.trim())) {
          return policy;
        }
      }
      throw new IllegalArgumentException("must be one of [skip, fail], found: " + value);
    }
  }

  private List<TenantStrategy.Field> paths;
  private String header;
  private OnMissing onMissing;
  private boolean setKey;
  private String prefixSeparator;

  @Override
  public void configure(Map<String, ?> props) {
    AbstractConfig config = new AbstractConfig(CONFIG_DEF, props);
    paths = new ArrayList<>();
    for (String path : config.getList(FIELD_CONFIG)) {
      paths.add(TenantStrategy.Field.of(path.trim()));
    }
    header = config.getString(HEADER_CONFIG);
    onMissing = OnMissing.parse(config.getString(ON_MISSING_CONFIG));
    setKey = config.getBoolean(KEY_CONFIG);
    prefixSeparator = config.getString(PREFIX_SEPARATOR_CONFIG);
  }

  @Override
  public R apply(R record) {
    Object document = document(operatingValue(record), operatingSchema(record));
    String tenant = null;
    for (TenantStrategy.Field path : paths) {
      tenant = path.resolve(null, null, document, CONNECT).orElse(null);
      if (tenant != null && !prefixSeparator.isEmpty()) {
        tenant = RawPartitions.collectionPrefix(tenant, prefixSeparator).orElse(null);
      }
      if (tenant != null) {
        break;
      }
    }
    boolean placed = record.kafkaPartition() != null; // e.g. a copy per partition: keep it there
    if (tenant == null) {
      if (onMissing == OnMissing.FAIL && !placed) {
        throw new DataException(
            "No field of "
                + paths.stream().map(p -> String.join(".", p.path())).toList()
                + " holds a tenant for ["
                + PURPOSE
                + "] in the record "
                + side()
                + " of topic "
                + record.topic());
      }
      return record;
    }
    Headers headers = record.headers().duplicate();
    headers.remove(header);
    headers.addString(header, tenant);
    boolean rekey = setKey && !placed;
    return record.newRecord(
        record.topic(),
        record.kafkaPartition(),
        rekey ? Schema.STRING_SCHEMA : record.keySchema(),
        rekey ? tenant : record.key(),
        record.valueSchema(),
        record.value(),
        record.timestamp(),
        headers);
  }

  /**
   * {@code data} as a document for {@link #CONNECT}: a Struct or Map as it is, JSON text parsed
   * once into Maps and plain values.
   */
  private Object document(Object data, Schema schema) {
    if (data == null || data instanceof Struct || data instanceof Map<?, ?>) {
      return data;
    }
    if (data instanceof String text && (schema == null || schema.type() == Schema.Type.STRING)) {
      try {
        return JSON.readValue(text, Object.class);
      } catch (JacksonException e) {
        throw new DataException(
            "The record " + side() + " is not JSON text for [" + PURPOSE + "]: " + e.getMessage());
      }
    }
    throw new DataException(
        "Only Struct, Map or JSON text objects supported for ["
            + PURPOSE
            + "], found: "
            + data.getClass().getName());
  }

  @Override
  public ConfigDef config() {
    return CONFIG_DEF;
  }

  @Override
  public void close() {}

  /** The Changecast version, like the connector's. */
  @Override
  public String version() {
    return ChangecastSourceConnector.VERSION;
  }

  /** {@code key} or {@code value}, for messages. */
  protected abstract String side();

  protected abstract Schema operatingSchema(R record);

  protected abstract Object operatingValue(R record);

  /** Reads the tenant from the record key. */
  public static final class Key<R extends ConnectRecord<R>> extends TenantHeader<R> {
    @Override
    protected String side() {
      return "key";
    }

    @Override
    protected Schema operatingSchema(R record) {
      return record.keySchema();
    }

    @Override
    protected Object operatingValue(R record) {
      return record.key();
    }
  }

  /** Reads the tenant from the record value. */
  public static final class Value<R extends ConnectRecord<R>> extends TenantHeader<R> {
    @Override
    protected String side() {
      return "value";
    }

    @Override
    protected Schema operatingSchema(R record) {
      return record.valueSchema();
    }

    @Override
    protected Object operatingValue(R record) {
      return record.value();
    }
  }

  private static final class PathsValidator implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      @SuppressWarnings("unchecked")
      List<String> paths = (List<String>) value;
      if (paths == null || paths.isEmpty()) {
        throw new ConfigException(name, value, "at least one dotted field path is needed");
      }
      for (String path : paths) {
        for (String segment : path.trim().split("\\.", -1)) {
          if (segment.isBlank()) {
            throw new ConfigException(
                name, value, "each path must be a field name or a dotted path like a.b");
          }
        }
      }
    }

    @Override
    public String toString() {
      return "dotted field paths, e.g. fullDocument.tenantId";
    }
  }
}
