package io.changecast.edge.internal.documents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;

/**
 * The latest version of every document of every tenant, kept beside the event log in the same store
 * and applied in each tenant's id order, with an undo log that makes the state as of any retained
 * id readable while writes go on.
 *
 * <p>Keys (a tenant id never holds {@code #}, so no tenant's keys fall in another's ranges, nor in
 * the event log's {@code <tenant>/<id>}):
 *
 * <ul>
 *   <li>{@code <tenant>#d#<database>\0<collection>\0<documentKey JSON>}: the document's entry
 *       {@code {"collection","database","documentKey","document","id"}} ({@code id}: the event that
 *       last changed it), exactly as the snapshot API serves it;
 *   <li>{@code <tenant>#u#<id, 19 digits>}: the undo entry of event {@code id}, {@code
 *       [{"k":<key>,"p":<previous entry>|null,"a":<entry>}…]}, one item per document the event
 *       changed ({@code a}, the new entry, only when the edge computed it from {@code changes});
 *       written with the documents, removed with the event when it leaves the event log's
 *       retention;
 *   <li>{@code \u0001applied/<tenant>}: {@code "<id> <documents>"}, the id of the tenant's last
 *       applied event and its number of documents (all tenants' together, so the total is read at
 *       startup without a scan of the store);
 *   <li>{@code <tenant>#f}: the newest id whose undo entry may be gone (retention).
 * </ul>
 *
 * <p>The state as of {@code n} is the current one, except that every document changed after {@code
 * n} is as its first change after {@code n} found it (that undo entry's {@code p}). A snapshot as
 * of {@code n} can be read while {@code #f <= n}.
 *
 * <p>Each event's entries (with the event itself, in the edge) are one atomic write: a reader, a
 * range or a crash sees an event wholly applied or not at all.
 */
public final class DocumentState {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int ID_DIGITS = 19;

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

  /** The undo entries a snapshot as of {@code asOf} needs are gone (retention). */
  public record Expired(long asOf, long floor) implements PageResult {}

  /** This edge has not applied id {@code asOf} yet (the cursor comes from an edge further on). */
  public record Behind(long asOf, long applied) implements PageResult {}

  private DocumentState() {}

  // ---- keys

  static String docPrefix(String tenant) {
    return tenant + "#d#";
  }

  /** Above every document key of the tenant ({@code $} follows {@code #}), below its other keys. */
  private static String docEnd(String tenant) {
    return tenant + "#d$";
  }

  static String docKey(String tenant, String database, String collection, String documentKey) {
    return docPrefix(tenant) + database + '\0' + collection + '\0' + documentKey;
  }

  static String undoKey(String tenant, long id) {
    String digits = Long.toString(id);
    StringBuilder key = new StringBuilder(tenant.length() + 3 + ID_DIGITS).append(tenant);
    key.append("#u#");
    for (int pad = digits.length(); pad < ID_DIGITS; pad++) {
      key.append('0');
    }
    return key.append(digits).toString();
  }

  /** Applied ids sit together apart from every tenant's keys, so startup reads only them. */
  private static final String APPLIED_PREFIX = "\u0001applied/";

  static String watermarkKey(String tenant) {
    return APPLIED_PREFIX + tenant;
  }

  static String floorKey(String tenant) {
    return tenant + "#f";
  }

  /** Whether a key of the shared store is a document entry. */
  public static boolean isDocumentKey(String key) {
    int hash = key.indexOf('#');
    return hash > 0 && key.startsWith("#d#", hash);
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
   * Tenants, String, long, JsonNode, List)}), reading the tenant's applied id from the store.
   */
  public static Applied apply(KeyValues.Mutable kv, String tenant, long id, JsonNode envelope) {
    List<KeyValue<String, String>> batch = new ArrayList<>();
    Applied applied = apply(kv, new Tenants(), tenant, id, envelope, batch);
    kv.write(batch);
    return applied;
  }

  /**
   * Applies event {@code id} of {@code tenant} (its envelope): inserts, replaces and updates with a
   * {@code document} set the document; updates without one apply {@code changes} to the previous
   * version (none known: nothing to apply); deletes remove; resets of a dropped collection or
   * database remove its documents, of a renamed collection move them to the target; other events
   * (published ones, other resets) change no document. An id at or below the tenant's last applied
   * id is skipped (a re-read after a restart).
   *
   * <p>Nothing is written here: the event's writes (its undo entry, its documents, then the
   * tenant's applied id) are added to {@code batch}, which the caller writes in one atomic write
   * ({@link KeyValues.Mutable#write}) before the next event; so a crash leaves an event wholly
   * applied or not at all, and a re-read after it is idempotent. {@code tenants} is updated as if
   * the batch were written (a writer whose write fails stops; its successor reads the store).
   */
  public static Applied apply(
      KeyValues kv,
      Tenants tenants,
      String tenant,
      long id,
      JsonNode envelope,
      List<KeyValue<String, String>> batch) {
    long[] appliedAndCount = tenants.of(kv, tenant);
    if (id <= appliedAndCount[0]) {
      return new Applied(0, true);
    }
    int delta = 0;
    Map<String, String> writes = new LinkedHashMap<>(); // key -> new entry (null: delete)
    Map<String, Boolean> known = new HashMap<>(); // key -> whether it exists now, when read
    List<String> undo = new ArrayList<>();
    String operation = envelope.path("operation").asText("");
    switch (operation) {
      case "insert", "replace", "update" -> upsert(kv, tenant, id, envelope, writes, undo, known);
      case "delete" -> {
        String key = keyOf(tenant, envelope);
        String previous = key == null ? null : kv.get(key);
        if (previous != null) {
          known.put(key, true);
          writes.put(key, null);
          undo.add(undoItem(key, previous, null));
        }
      }
      case "reset" -> namespaceChange(kv, tenant, id, envelope, writes, undo);
      default -> {
        // a published event, or an unknown operation: no document
      }
    }
    if (!undo.isEmpty()) {
      batch.add(KeyValue.pair(undoKey(tenant, id), "[" + String.join(",", undo) + "]"));
    }
    for (Map.Entry<String, String> write : writes.entrySet()) {
      String key = write.getKey();
      boolean existed = known.containsKey(key) ? known.get(key) : kv.get(key) != null;
      if (write.getValue() == null) {
        delta -= existed ? 1 : 0;
      } else {
        delta += existed ? 0 : 1;
      }
      batch.add(KeyValue.pair(key, write.getValue()));
    }
    appliedAndCount[0] = id;
    appliedAndCount[1] += delta;
    batch.add(KeyValue.pair(watermarkKey(tenant), id + " " + appliedAndCount[1]));
    return new Applied(delta, false);
  }

  private static void upsert(
      KeyValues kv,
      String tenant,
      long id,
      JsonNode envelope,
      Map<String, String> writes,
      List<String> undo,
      Map<String, Boolean> known) {
    String key = keyOf(tenant, envelope);
    if (key == null) {
      return;
    }
    String previous = kv.get(key);
    known.put(key, previous != null);
    JsonNode document = envelope.get("document");
    boolean computed = false;
    if (document == null || !document.isObject()) {
      JsonNode changes = envelope.get("changes");
      if (previous == null || changes == null || !changes.isObject()) {
        return; // no post-image and nothing to apply the changes to
      }
      document = DocumentPatch.apply(parse(previous).path("document"), changes);
      computed = true;
    }
    String entry = entry(envelope, document, id);
    writes.put(key, entry);
    undo.add(undoItem(key, previous, computed ? entry : null));
  }

  private static void namespaceChange(
      KeyValues kv,
      String tenant,
      long id,
      JsonNode envelope,
      Map<String, String> writes,
      List<String> undo) {
    String reason = envelope.path("reason").asText("");
    JsonNode namespaces = envelope.path("namespaces");
    switch (reason) {
      case "collection-dropped", "database-dropped" -> {
        for (JsonNode ns : namespaces) {
          forEachIn(
              kv,
              tenant,
              ns,
              (key, entry) -> {
                writes.put(key, null);
                undo.add(undoItem(key, entry, null));
              });
        }
      }
      case "collection-renamed" -> {
        if (namespaces.size() != 2 || !namespaces.get(1).hasNonNull("coll")) {
          return;
        }
        JsonNode target = namespaces.get(1);
        // A rename onto an existing collection (dropTarget) replaces it.
        forEachIn(kv, tenant, target, (key, entry) -> writes.put(key, null));
        Map<String, String> previous = new HashMap<>();
        forEachIn(kv, tenant, target, previous::put);
        forEachIn(
            kv,
            tenant,
            namespaces.get(0),
            (key, entry) -> {
              writes.put(key, null);
              previous.put(key, entry);
              ObjectNode moved = (ObjectNode) parse(entry);
              moved.put("database", target.path("db").asText());
              moved.put("collection", target.path("coll").asText());
              moved.put("id", Long.toString(id));
              String movedKey =
                  docKey(
                      tenant,
                      target.path("db").asText(),
                      target.path("coll").asText(),
                      moved.path("documentKey").toString());
              writes.put(movedKey, moved.toString());
            });
        for (String key : writes.keySet()) {
          undo.add(undoItem(key, previous.get(key), null));
        }
      }
      default -> {
        // source-history-lost, stream-invalidated: no document is known to have changed
      }
    }
  }

  /** Calls {@code each} for the tenant's documents in namespace {@code {db, coll?}}. */
  private static void forEachIn(
      KeyValues kv, String tenant, JsonNode ns, BiConsumer<String, String> each) {
    String db = ns.path("db").asText(null);
    if (db == null) {
      return;
    }
    String prefix =
        docPrefix(tenant)
            + db
            + '\0'
            + (ns.hasNonNull("coll") ? ns.get("coll").asText() + '\0' : "");
    List<KeyValue<String, String>> found = new ArrayList<>();
    // keys of the namespace start with prefix, which ends with \0: all below prefix-then-\1
    kv.range(prefix, prefix.substring(0, prefix.length() - 1) + '\u0001', found::add);
    found.forEach(e -> each.accept(e.key, e.value));
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

  private static String entry(JsonNode envelope, JsonNode document, long id) {
    ObjectNode entry = MAPPER.createObjectNode();
    entry.set("collection", envelope.get("collection"));
    entry.set(
        "database", envelope.path("database").isMissingNode() ? null : envelope.get("database"));
    entry.set("documentKey", envelope.get("documentKey"));
    entry.set("document", document);
    entry.put("id", Long.toString(id));
    return entry.toString();
  }

  private static String undoItem(String key, String previous, String after) {
    StringBuilder item =
        new StringBuilder(
                key.length()
                    + 32
                    + (previous == null ? 4 : previous.length())
                    + (after == null ? 0 : after.length()))
            .append("{\"k\":\"");
    JsonStringEncoder.getInstance().quoteAsString(key, item);
    item.append("\",\"p\":").append(previous == null ? "null" : previous);
    if (after != null) {
      item.append(",\"a\":").append(after);
    }
    return item.append('}').toString();
  }

  /**
   * Forgets the undo entries of the tenant's ids up to {@code newestEvicted} (they left the event
   * log): snapshots as of an earlier id can no longer be read. The new floor and the deletions are
   * one write; the range starts above the old floor (entries up to it are gone), so it does not
   * step over the deletions of earlier evictions again.
   */
  public static void evictThrough(KeyValues.Mutable kv, String tenant, long newestEvicted) {
    long floor = floor(kv, tenant);
    if (newestEvicted <= floor) {
      return;
    }
    List<KeyValue<String, String>> batch = new ArrayList<>();
    batch.add(KeyValue.pair(floorKey(tenant), Long.toString(newestEvicted)));
    kv.range(
        undoKey(tenant, floor + 1),
        undoKey(tenant, newestEvicted),
        e -> {
          batch.add(KeyValue.pair(e.key, null));
          return true;
        });
    kv.write(batch);
  }

  private static long floor(KeyValues kv, String tenant) {
    String value = kv.get(floorKey(tenant));
    return value == null ? -1 : Long.parseLong(value);
  }

  // ---- reading

  /**
   * The document before and after event {@code id} when it changed exactly one document and its
   * undo entry is retained: {@code before} the previous version (null: none), {@code after} the
   * version the edge computed when the envelope has no {@code document} (else null: the envelope's
   * own).
   */
  public static Optional<Images> images(KeyValues kv, String tenant, long id) {
    String undo = kv.get(undoKey(tenant, id));
    if (undo == null) {
      return Optional.empty();
    }
    JsonNode items = parse(undo);
    if (items.size() != 1) {
      return Optional.empty();
    }
    JsonNode item = items.get(0);
    JsonNode before = item.path("p").path("document");
    JsonNode after = item.path("a").path("document");
    return Optional.of(
        new Images(before.isMissingNode() ? null : before, after.isMissingNode() ? null : after));
  }

  /**
   * One page of the tenant's documents as of {@code asOf} (empty: the last applied id), after key
   * {@code afterKey} (null: from the first), at most {@code limit} entries that {@code select}
   * accepts (it is given the entry's JSON text).
   *
   * <p>The documents are read in one range (one point in time), then the undo entries after {@code
   * asOf}, which hold everything that range saw changed after {@code asOf} (an undo entry is
   * written with its documents), then the floor: the page is exact unless the floor passed {@code
   * asOf}, then it is {@link Expired}.
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
    String prefix = docPrefix(tenant);
    String from = afterKey == null ? prefix : afterKey + '\0'; // the smallest key after afterKey
    String to = docEnd(tenant);
    // In key order: selected documents unchanged since n, and (null) those changed after n,
    // resolved below.
    List<KeyValue<String, String>> scanned = new ArrayList<>(Math.min(limit, 1_024) + 1);
    int[] selected = {0};
    boolean[] changedAfterN = {false};
    String[] end = {null};
    kv.range(
        from,
        to,
        e -> {
          if (idOf(e.value) > n) {
            scanned.add(KeyValue.pair(e.key, null));
            changedAfterN[0] = true;
          } else if (select.test(e.value)) {
            scanned.add(e);
            if (++selected[0] > limit) {
              end[0] = e.key; // enough: the page ends before this key
              return false;
            }
          }
          return true;
        });
    // The version as of n of every document changed after n: what its first change found.
    Map<String, String> asOfN = new HashMap<>();
    kv.range(
        undoKey(tenant, n + 1),
        undoKey(tenant, Long.MAX_VALUE),
        e -> {
          for (JsonNode item : parse(e.value)) {
            String key = item.path("k").asText();
            if (!asOfN.containsKey(key)) {
              JsonNode previous = item.get("p");
              asOfN.put(key, previous == null || previous.isNull() ? null : previous.toString());
            }
          }
          return true;
        });
    long floor = floor(kv, tenant);
    if (n < floor) {
      return new Expired(n, floor);
    }
    if (asOfN.isEmpty() && !changedAfterN[0]) {
      // nothing changed after n: the range is the page, already in key order
      int size = Math.min(limit, scanned.size());
      List<String> entries = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        entries.add(scanned.get(i).value);
      }
      return new Page(
          n, entries, size == 0 ? null : scanned.get(size - 1).key, scanned.size() > limit);
    }
    TreeMap<String, String> merged = new TreeMap<>();
    for (KeyValue<String, String> e : scanned) {
      // a document newer than n is always in asOfN while the floor allows n
      if (e.value != null && !asOfN.containsKey(e.key)) {
        merged.put(e.key, e.value);
      }
    }
    for (Map.Entry<String, String> e : asOfN.entrySet()) {
      String key = e.getKey();
      if (e.getValue() != null
          && key.startsWith(prefix)
          && (afterKey == null || key.compareTo(afterKey) > 0)
          && (end[0] == null || key.compareTo(end[0]) <= 0)
          && select.test(e.getValue())) {
        merged.put(key, e.getValue());
      }
    }
    List<String> entries = new ArrayList<>(Math.min(limit, merged.size()));
    String lastKey = null;
    for (Map.Entry<String, String> e : merged.entrySet()) {
      if (entries.size() == limit) {
        break;
      }
      entries.add(e.getValue());
      lastKey = e.getKey();
    }
    return new Page(n, entries, lastKey, merged.size() > limit);
  }

  private static long idOf(String entry) {
    // entries end with ,"id":"<digits>"} (see entry())
    int end = entry.length() - 2;
    int start = entry.lastIndexOf('"', end - 1) + 1;
    return Long.parseLong(entry, start, end, 10);
  }

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable document state entry: " + e.getMessage(), e);
    }
  }
}
