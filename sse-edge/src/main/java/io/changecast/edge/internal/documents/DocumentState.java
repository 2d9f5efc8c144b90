package io.changecast.edge.internal.documents;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;

/**
 * Every document of every tenant, kept beside the event log in the same store and applied in each
 * tenant's id order, as versions keyed by (document, id descending): the state as of any retained
 * id is readable while writes go on, and applying an event writes its versions without reading the
 * previous ones (see docs/design-notes.md, "The document state's storage shape").
 *
 * <p>Keys (a tenant id never holds {@code #}, so no tenant's keys fall in another's ranges, nor in
 * the event log's {@code <tenant>/<id>}); a document's name is {@code
 * <tenant>#v#<database>\0<collection>\0<documentKey JSON>} (JSON text holds no {@code \0}):
 *
 * <ul>
 *   <li>{@code <name>\0<Long.MAX_VALUE - id, 19 digits>}: the document's version written by event
 *       {@code id}, {@code {"collection","database","documentKey","document","id"}} exactly as the
 *       snapshot API serves it, or {@value #DELETED} when the event deleted it; the newest version
 *       sorts first;
 *   <li>{@code <tenant>#h#<database>\0<collection>\0<documentKey JSON>}: the id of the document's
 *       newest version while it exists (removed when it is deleted): what an event reads to count
 *       the documents and to know which version it supersedes, a few bytes instead of the document;
 *   <li>{@code <tenant>#s#<id, 19 digits>}: the versions event {@code id} made obsolete once no
 *       snapshot can be as of an id before it, as a JSON array of keys (the version it superseded,
 *       and a deletion's own marker); read and removed with them when the event leaves the event
 *       log's retention;
 *   <li>{@code \u0001applied/<tenant>}: {@code "<id> <documents>"}, the id of the tenant's last
 *       applied event and its number of documents (all tenants' together, so the total is read at
 *       startup without a scan of the store);
 *   <li>{@code <tenant>#f}: the newest id whose obsolete versions may be gone (retention), and
 *       after it how far they are gone when that is less (see {@link #evictThrough(KeyValues,
 *       String, long[], long, long, List)}).
 * </ul>
 *
 * <p>The state as of {@code n} is, per document, its newest version with an id at most {@code n}
 * (none, or a deletion: absent). A snapshot as of {@code n} can be read while {@code #f <= n}: a
 * version is removed only when an event at most {@code #f} superseded it.
 *
 * <p>Each event's entries (with the event itself, in the edge) are one atomic write: a reader, a
 * range or a crash sees an event wholly applied or not at all.
 */
public final class DocumentState {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int ID_DIGITS = 19;

  /** The value of a version that deleted its document. */
  static final String DELETED = "-";

  /** What one event did to the state. */
  public record Applied(int documentsDelta, boolean skipped) {}

  /**
   * The document before and after one event (null: absent), for the filter rule of filtered
   * streams.
   */
  public record Images(JsonNode before, JsonNode after) {}

  /** The answer to a snapshot page request. */
  public sealed interface PageResult {}

  /**
   * One page: the entries as JSON text, in key order; {@code lastKey} resumes after this page when
   * {@code more}.
   */
  public record Page(long asOf, List<String> entries, String lastKey, boolean more)
      implements PageResult {}

  /** The versions a snapshot as of {@code asOf} needs are gone (retention). */
  public record Expired(long asOf, long floor) implements PageResult {}

  /** This edge has not applied id {@code asOf} yet (the cursor comes from an edge further on). */
  public record Behind(long asOf, long applied) implements PageResult {}

  private DocumentState() {}

  // ---- keys

  static String docPrefix(String tenant) {
    return tenant + "#v#";
  }

  /** Above every version key of the tenant ({@code $} follows {@code #}), below its other keys. */
  private static String docEnd(String tenant) {
    return tenant + "#v$";
  }

  /** A document's name: its versions' keys start with it, then {@code \0}. */
  static String docKey(String tenant, String database, String collection, String documentKey) {
    return docPrefix(tenant) + database + '\0' + collection + '\0' + documentKey;
  }

  private static String headPrefix(String tenant) {
    return tenant + "#h#";
  }

  /** The key of the document's newest id, from its name. */
  static String headKey(String tenant, String docKey) {
    return headPrefix(tenant) + docKey.substring(tenant.length() + 3);
  }

  /** The key of the document's version of event {@code id}. */
  static String versionKey(String docKey, long id) {
    return pad(
            new StringBuilder(docKey.length() + 1 + ID_DIGITS).append(docKey).append('\0'),
            Long.MAX_VALUE - id)
        .toString();
  }

  /** Characters after a document's name in its versions' keys. */
  private static final int VERSION_SUFFIX = 1 + ID_DIGITS;

  private static long versionId(String versionKey) {
    return Long.MAX_VALUE
        - Long.parseLong(versionKey, versionKey.length() - ID_DIGITS, versionKey.length(), 10);
  }

  static String supersededKey(String tenant, long id) {
    return pad(new StringBuilder(tenant.length() + 3 + ID_DIGITS).append(tenant).append("#s#"), id)
        .toString();
  }

  private static StringBuilder pad(StringBuilder key, long number) {
    String digits = Long.toString(number);
    for (int pad = digits.length(); pad < ID_DIGITS; pad++) {
      key.append('0');
    }
    return key.append(digits);
  }

  /** Applied ids sit together apart from every tenant's keys, so startup reads only them. */
  private static final String APPLIED_PREFIX = "\u0001applied/";

  static String watermarkKey(String tenant) {
    return APPLIED_PREFIX + tenant;
  }

  static String floorKey(String tenant) {
    return tenant + "#f";
  }

  /** Whether a key of the shared store is a document's newest id (one per document held). */
  static boolean isHeadKey(String key) {
    int hash = key.indexOf('#');
    return hash > 0 && key.startsWith("#h#", hash);
  }

  /** Whether a key is a document's name (a snapshot cursor's position). */
  public static boolean isDocumentKey(String key) {
    int hash = key.indexOf('#');
    return hash > 0 && key.startsWith("#v#", hash);
  }

  /** The tenant's last applied id, 0 before its first event (ids start at 1). */
  public static long applied(KeyValues kv, String tenant) {
    return appliedAndCount(kv.get(watermarkKey(tenant)))[0];
  }

  /** {@code "<id> <documents>"}: the tenant's applied id and document count, written together. */
  private static long[] appliedAndCount(String value) {
    if (value == null) {
      return new long[] {0, 0};
    }
    int space = value.indexOf(' ');
    return space < 0
        ? new long[] {Long.parseLong(value), 0}
        : new long[] {
          Long.parseLong(value, 0, space, 10), Long.parseLong(value, space + 1, value.length(), 10)
        };
  }

  /** The documents of every tenant, from their counts (read once at startup). */
  public static long total(KeyValues kv) {
    long[] total = {0};
    kv.range(
        APPLIED_PREFIX,
        APPLIED_PREFIX + '\uffff',
        e -> {
          total[0] += appliedAndCount(e.value)[1];
          return true;
        });
    return total[0];
  }

  // ---- the layout before versions

  /**
   * The tenants whose state is in the pre-release layout before versions (documents at {@code
   * <tenant>#d#<name>}, undo entries at {@code <tenant>#u#<id>}), which is not read: stored formats
   * carry no migration code before a release.
   */
  public static List<String> earlierLayout(KeyValues kv) {
    List<String> tenants = new ArrayList<>();
    kv.range(
        APPLIED_PREFIX,
        APPLIED_PREFIX + '\uffff',
        e -> {
          tenants.add(e.key.substring(APPLIED_PREFIX.length()));
          return true;
        });
    List<String> earlier = new ArrayList<>();
    for (String tenant : tenants) {
      boolean[] found = {false};
      for (String kind : List.of("#d", "#u")) {
        kv.range(
            tenant + kind + "#",
            tenant + kind + "$",
            e -> {
              found[0] = true;
              return false;
            });
      }
      if (found[0]) {
        earlier.add(tenant);
      }
    }
    return earlier;
  }

  // ---- applying events

  /**
   * What the writer knows of each tenant: its applied id and document count, read from the store at
   * the tenant's first event and kept since (the writer alone changes them). Not thread-safe: one
   * per writer.
   */
  public static final class Tenants {
    private final Map<String, long[]> known = new HashMap<>();

    private long[] of(KeyValues kv, String tenant) {
      return known.computeIfAbsent(tenant, t -> appliedAndCount(kv.get(watermarkKey(t))));
    }
  }

  /**
   * Applies event {@code id} of {@code tenant} and writes it at once (see {@link #apply(KeyValues,
   * Tenants, String, long, String, List)}), reading the tenant's applied id from the store.
   */
  public static Applied apply(KeyValues.Mutable kv, String tenant, long id, JsonNode envelope) {
    List<KeyValue<String, String>> batch = new ArrayList<>();
    Applied applied = apply(kv, new Tenants(), tenant, id, envelope.toString(), batch);
    kv.write(batch);
    return applied;
  }

  /**
   * Applies event {@code id} of {@code tenant} (its envelope's JSON text): inserts, replaces and
   * updates with a {@code document} set the document; updates without one apply {@code changes} to
   * the previous version (none known: nothing to apply); deletes remove; resets of a dropped
   * collection or database remove its documents, of a renamed collection move them to the target;
   * other events (published ones, other resets) change no document. An id at or below the tenant's
   * last applied id is skipped (a re-read after a restart).
   *
   * <p>The envelope is read in one pass over its tokens ({@link Change}), building no tree of the
   * document: a version's {@code document} is the envelope's own text of it. Only an update without
   * a post-image parses the previous version and its {@code changes}, and a reset its envelope.
   *
   * <p>Reads: the newest id of the changed document (a few bytes; its version only for an update
   * without a post-image), and for resets the namespace's newest ids.
   *
   * <p>Nothing is written here: the event's writes (its versions, the documents' newest ids, the
   * versions it made obsolete, then the tenant's applied id) are added to {@code batch}, which the
   * caller writes in one atomic write ({@link KeyValues.Mutable#write}) before the next event; so a
   * crash leaves an event wholly applied or not at all, and a re-read after it is idempotent.
   * {@code tenants} is updated as if the batch were written (a writer whose write fails stops; its
   * successor reads the store).
   */
  public static Applied apply(
      KeyValues kv,
      Tenants tenants,
      String tenant,
      long id,
      String envelope,
      List<KeyValue<String, String>> batch) {
    long[] appliedAndCount = tenants.of(kv, tenant);
    if (id <= appliedAndCount[0]) {
      return new Applied(0, true);
    }
    // document name -> its new version (null: deleted); the newest ids before the event, as read
    Map<String, String> writes = new LinkedHashMap<>();
    Map<String, Long> newest = new HashMap<>();
    Change change = Change.read(envelope);
    switch (change.operation()) {
      case "insert", "replace", "update" -> upsert(kv, tenant, id, change, writes, newest);
      case "delete" -> {
        String key = change.key(tenant);
        if (key != null) {
          newest.put(key, newestId(kv, tenant, key));
          writes.put(key, null);
        }
      }
      case "reset" -> namespaceChange(kv, tenant, id, parse(envelope), writes, newest);
      default -> {
        // a published event, or an unknown operation: no document
      }
    }
    int delta = 0;
    StringBuilder obsolete = new StringBuilder();
    for (Map.Entry<String, String> write : writes.entrySet()) {
      String key = write.getKey();
      Long previous = newest.get(key);
      if (write.getValue() == null) {
        if (previous == null) {
          continue; // nothing to delete
        }
        batch.add(KeyValue.pair(versionKey(key, id), DELETED));
        batch.add(KeyValue.pair(headKey(tenant, key), null));
        addKey(obsolete, versionKey(key, previous));
        addKey(obsolete, versionKey(key, id)); // absent as of every id from the floor on
        delta--;
      } else {
        batch.add(KeyValue.pair(versionKey(key, id), write.getValue()));
        batch.add(KeyValue.pair(headKey(tenant, key), Long.toString(id)));
        if (previous == null) {
          delta++;
        } else {
          addKey(obsolete, versionKey(key, previous));
        }
      }
    }
    if (!obsolete.isEmpty()) {
      batch.add(KeyValue.pair(supersededKey(tenant, id), "[" + obsolete + "]"));
    }
    appliedAndCount[0] = id;
    appliedAndCount[1] += delta;
    batch.add(KeyValue.pair(watermarkKey(tenant), id + " " + appliedAndCount[1]));
    return new Applied(delta, false);
  }

  /**
   * The envelope fields a change of one document needs, read in one pass over the envelope's tokens
   * (a field given twice counts with its last value, as in a tree): the namespace and {@code
   * documentKey} as (small) trees, {@code document} and {@code changes} as the envelope's text of
   * them when they are objects (else null).
   */
  record Change(
      String operation,
      JsonNode database,
      JsonNode collection,
      JsonNode documentKey,
      String document,
      String changes) {

    static Change read(String envelope) {
      String operation = "";
      JsonNode database = null;
      JsonNode collection = null;
      JsonNode documentKey = null;
      String document = null;
      String changes = null;
      try (JsonParser parser = MAPPER.createParser(envelope)) {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          throw new IllegalStateException("an envelope that is not a JSON object");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken token = parser.nextToken();
          switch (name) {
            case "operation" -> operation = token.isScalarValue() ? parser.getText() : skip(parser);
            case "database" -> database = parser.readValueAsTree();
            case "collection" -> collection = parser.readValueAsTree();
            case "documentKey" -> documentKey = parser.readValueAsTree();
            case "document" -> document = objectText(envelope, parser, token);
            case "changes" -> changes = objectText(envelope, parser, token);
            default -> parser.skipChildren();
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("an unreadable envelope: " + e.getMessage(), e);
      }
      if (operation == null) {
        operation = "";
      }
      return new Change(operation, database, collection, documentKey, document, changes);
    }

    private static String skip(JsonParser parser) throws IOException {
      parser.skipChildren();
      return "";
    }

    /** The text of the object the parser is at (null: not an object), on one line. */
    private static String objectText(String envelope, JsonParser parser, JsonToken token)
        throws IOException {
      if (token != JsonToken.START_OBJECT) {
        parser.skipChildren();
        return null;
      }
      int start = (int) parser.currentTokenLocation().getCharOffset();
      parser.skipChildren();
      int end = (int) parser.currentLocation().getCharOffset();
      String text = envelope.substring(start, end);
      // an envelope spread over lines (the edge stores events on one line): its tree's text
      return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : parse(text).toString();
    }

    /** The changed document's name, or null when the envelope names none. */
    String key(String tenant) {
      if (collection == null || !collection.isTextual() || documentKey == null) {
        return null;
      }
      return docKey(
          tenant,
          database == null ? "" : database.asText(""),
          collection.textValue(),
          documentKey.toString());
    }

    /** A version holding {@code documentJson}, as the snapshot API serves it. */
    String entry(String documentJson, long id) {
      return new StringBuilder(documentJson.length() + 128)
          .append("{\"collection\":")
          .append(collection)
          .append(",\"database\":")
          .append(database == null ? "null" : database.toString())
          .append(",\"documentKey\":")
          .append(documentKey)
          .append(",\"document\":")
          .append(documentJson)
          .append(",\"id\":\"")
          .append(id)
          .append("\"}")
          .toString();
    }
  }

  private static void addKey(StringBuilder keys, String key) {
    if (!keys.isEmpty()) {
      keys.append(',');
    }
    keys.append('"');
    JsonStringEncoder.getInstance().quoteAsString(key, keys);
    keys.append('"');
  }

  /** The id of the document's newest version while it exists, else null. */
  private static Long newestId(KeyValues kv, String tenant, String key) {
    String head = kv.get(headKey(tenant, key));
    return head == null ? null : Long.parseLong(head);
  }

  private static void upsert(
      KeyValues kv,
      String tenant,
      long id,
      Change change,
      Map<String, String> writes,
      Map<String, Long> newest) {
    String key = change.key(tenant);
    if (key == null) {
      return;
    }
    Long previous = newestId(kv, tenant, key);
    newest.put(key, previous);
    String document = change.document();
    if (document == null) {
      if (previous == null || change.changes() == null) {
        return; // no post-image and nothing to apply the changes to
      }
      String version = kv.get(versionKey(key, previous));
      if (version == null || DELETED.equals(version)) {
        throw new IllegalStateException(
            "the document state has no version " + previous + " of " + key + " (its newest)");
      }
      document =
          DocumentPatch.apply(parse(version).path("document"), parse(change.changes())).toString();
    }
    writes.put(key, change.entry(document, id));
  }

  private static void namespaceChange(
      KeyValues kv,
      String tenant,
      long id,
      JsonNode envelope,
      Map<String, String> writes,
      Map<String, Long> newest) {
    String reason = envelope.path("reason").asText("");
    JsonNode namespaces = envelope.path("namespaces");
    switch (reason) {
      case "collection-dropped", "database-dropped" -> {
        for (JsonNode ns : namespaces) {
          forEachIn(
              kv,
              tenant,
              ns,
              (key, newestId) -> {
                newest.put(key, newestId);
                writes.put(key, null);
              });
        }
      }
      case "collection-renamed" -> {
        if (namespaces.size() != 2 || !namespaces.get(1).hasNonNull("coll")) {
          return;
        }
        JsonNode target = namespaces.get(1);
        // A rename onto an existing collection (dropTarget) replaces it.
        forEachIn(
            kv,
            tenant,
            target,
            (key, newestId) -> {
              newest.put(key, newestId);
              writes.put(key, null);
            });
        Map<String, Long> source = new LinkedHashMap<>();
        forEachIn(kv, tenant, namespaces.get(0), source::put);
        for (Map.Entry<String, Long> moving : source.entrySet()) {
          String key = moving.getKey();
          newest.put(key, moving.getValue());
          writes.put(key, null);
          ObjectNode moved = (ObjectNode) parse(kv.get(versionKey(key, moving.getValue())));
          moved.put("database", target.path("db").asText());
          moved.put("collection", target.path("coll").asText());
          moved.put("id", Long.toString(id));
          String movedKey =
              docKey(
                  tenant,
                  target.path("db").asText(),
                  target.path("coll").asText(),
                  moved.path("documentKey").toString());
          newest.putIfAbsent(movedKey, null);
          writes.put(movedKey, moved.toString());
        }
      }
      default -> {
        // source-history-lost, stream-invalidated: no document is known to have changed
      }
    }
  }

  /**
   * Calls {@code each} with the name and newest id of the tenant's documents in namespace {@code
   * {db, coll?}}.
   */
  private static void forEachIn(
      KeyValues kv, String tenant, JsonNode ns, BiConsumer<String, Long> each) {
    String db = ns.path("db").asText(null);
    if (db == null) {
      return;
    }
    String names = db + '\0' + (ns.hasNonNull("coll") ? ns.get("coll").asText() + '\0' : "");
    String prefix = headPrefix(tenant) + names;
    List<KeyValue<String, String>> found = new ArrayList<>();
    // keys of the namespace start with prefix, which ends with \0: all below prefix-then-\1
    kv.range(prefix, prefix.substring(0, prefix.length() - 1) + '\u0001', found::add);
    int head = headPrefix(tenant).length();
    for (KeyValue<String, String> e : found) {
      each.accept(docPrefix(tenant) + e.key.substring(head), Long.parseLong(e.value));
    }
  }

  private static String keyOf(String tenant, JsonNode envelope) {
    JsonNode collection = envelope.get("collection");
    JsonNode documentKey = envelope.get("documentKey");
    if (collection == null || !collection.isTextual() || documentKey == null) {
      return null;
    }
    return docKey(
        tenant,
        envelope.path("database").asText(""),
        collection.textValue(),
        documentKey.toString());
  }

  /**
   * Forgets the versions that the tenant's events up to {@code newestEvicted} (they left the event
   * log) made obsolete: snapshots as of an earlier id can no longer be read. The new floor and the
   * deletions are one write.
   */
  public static void evictThrough(KeyValues.Mutable kv, String tenant, long newestEvicted) {
    List<KeyValue<String, String>> batch = new ArrayList<>();
    evictThrough(kv, tenant, floorAndCleaned(kv, tenant), newestEvicted, newestEvicted, batch);
    kv.write(batch);
  }

  /**
   * The tenant's floor (-1: none) and the newest id whose obsolete versions are removed (at most
   * the floor), from {@code #f}: {@code "<floor>"} when both are the same, else {@code "<floor>
   * <removed>"}.
   */
  public static long[] floorAndCleaned(KeyValues kv, String tenant) {
    String value = kv.get(floorKey(tenant));
    if (value == null) {
      return new long[] {-1, -1};
    }
    int space = value.indexOf(' ');
    return space < 0
        ? new long[] {Long.parseLong(value), Long.parseLong(value)}
        : new long[] {
          Long.parseLong(value, 0, space, 10), Long.parseLong(value, space + 1, value.length(), 10)
        };
  }

  /**
   * Moves the tenant's floor to {@code newestEvicted} (snapshots as of an earlier id are {@link
   * Expired} from then on) and removes the versions that its events up to {@code removeThrough} (at
   * most {@code newestEvicted}) made obsolete, adding the writes to {@code batch}; {@code
   * floorAndCleaned} (see {@link #floorAndCleaned}) is the store's as the writes of this writer
   * leave it, and is updated as if the batch were written.
   *
   * <p>A writer may remove later than it moves the floor (fewer, longer ranges: each range over the
   * {@code #s#} entries costs a seek through every sorted run of the store): a snapshot below the
   * floor is refused while its versions are still held, which is never wrong. The range starts
   * above the ids already removed, so it does not step over the deletions of earlier evictions.
   */
  public static void evictThrough(
      KeyValues kv,
      String tenant,
      long[] floorAndCleaned,
      long newestEvicted,
      long removeThrough,
      List<KeyValue<String, String>> batch) {
    long floor = Math.max(floorAndCleaned[0], newestEvicted);
    long removed = floorAndCleaned[1];
    long through = Math.min(removeThrough, floor);
    if (through > removed) {
      kv.range(
          supersededKey(tenant, removed + 1),
          supersededKey(tenant, through),
          e -> {
            batch.add(KeyValue.pair(e.key, null));
            for (JsonNode key : parse(e.value)) {
              batch.add(KeyValue.pair(key.textValue(), null));
            }
            return true;
          });
      removed = through;
    }
    if (floor == floorAndCleaned[0] && removed == floorAndCleaned[1]) {
      return;
    }
    batch.add(
        KeyValue.pair(
            floorKey(tenant), floor == removed ? Long.toString(floor) : floor + " " + removed));
    floorAndCleaned[0] = floor;
    floorAndCleaned[1] = removed;
  }

  private static long floor(KeyValues kv, String tenant) {
    return floorAndCleaned(kv, tenant)[0];
  }

  // ---- reading

  /**
   * The document before and after event {@code id} (its {@code envelope}) when it changed exactly
   * one document and the versions before it are retained: {@code before} the previous version
   * (null: none), {@code after} the version the edge computed when the envelope has no {@code
   * document} (else null: the envelope's own).
   */
  public static Optional<Images> images(KeyValues kv, String tenant, long id, JsonNode envelope) {
    String operation = envelope.path("operation").asText("");
    if (!List.of("insert", "replace", "update", "delete").contains(operation)) {
      return Optional.empty();
    }
    String key = keyOf(tenant, envelope);
    if (key == null) {
      return Optional.empty();
    }
    String version = kv.get(versionKey(key, id));
    if (version == null) {
      return Optional.empty(); // the event changed no document, or it left the retention
    }
    String[] previous = {null};
    kv.range(
        versionKey(key, id - 1),
        versionKey(key, 0),
        e -> {
          previous[0] = e.value;
          return false;
        });
    if (id <= floor(kv, tenant)) {
      return Optional.empty(); // the previous version may be gone
    }
    JsonNode document = envelope.get("document");
    JsonNode after = document == null || !document.isObject() ? documentOf(version) : null;
    return Optional.of(new Images(documentOf(previous[0]), after));
  }

  /** The document of a version (null: none, or a deletion). */
  private static JsonNode documentOf(String version) {
    if (version == null || DELETED.equals(version)) {
      return null;
    }
    JsonNode document = parse(version).path("document");
    return document.isMissingNode() ? null : document;
  }

  /**
   * One page of the tenant's documents as of {@code asOf} (empty: the last applied id), after the
   * document named {@code afterKey} (null: from the first), at most {@code limit} entries that
   * {@code select} accepts (it is given the entry's JSON text).
   *
   * <p>The versions are read in one range (one point in time), each document's newest at most
   * {@code asOf} taken, then the floor: the page is exact unless the floor passed {@code asOf} (a
   * version it needs may be gone), then it is {@link Expired}.
   */
  public static PageResult page(
      KeyValues kv,
      String tenant,
      OptionalLong asOf,
      String afterKey,
      int limit,
      Predicate<String> select) {
    long applied = applied(kv, tenant);
    long n = asOf.orElse(applied);
    if (n > applied) {
      return new Behind(n, applied);
    }
    // the smallest key after every version of afterKey (a name is followed by \0 in them)
    String from = afterKey == null ? docPrefix(tenant) : afterKey + '\u0001';
    List<String> entries = new ArrayList<>(Math.min(limit, 1_024));
    String[] last = {null};
    String[] current = {null}; // the document whose versions the range is in
    boolean[] resolved = {false}; // whether its version as of n was found
    boolean[] more = {false};
    kv.range(
        from,
        docEnd(tenant),
        e -> {
          String key = e.key;
          int nameLength = key.length() - VERSION_SUFFIX;
          String name = current[0];
          if (name == null
              || name.length() != nameLength
              || !key.regionMatches(0, name, 0, nameLength)) {
            current[0] = key.substring(0, nameLength);
            resolved[0] = false;
          } else if (resolved[0]) {
            return true; // an older version of a document already taken
          }
          if (versionId(key) > n) {
            return true; // newer than n: its version as of n follows, if any
          }
          resolved[0] = true;
          if (DELETED.equals(e.value) || !select.test(e.value)) {
            return true;
          }
          if (entries.size() == limit) {
            more[0] = true;
            return false;
          }
          entries.add(e.value);
          last[0] = current[0];
          return true;
        });
    long floor = floor(kv, tenant);
    if (n < floor) {
      return new Expired(n, floor);
    }
    return new Page(n, entries, last[0], more[0]);
  }

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable document state entry: " + e.getMessage(), e);
    }
  }
}
