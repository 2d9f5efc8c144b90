package io.changecast.edge.internal.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** The document state applied event by event, and read as of an id while writes go on. */
class DocumentStateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KeyValues.Mutable kv = KeyValues.inMemory();
  private final Map<Long, JsonNode> envelopes = new HashMap<>();
  private long id;

  private void apply(String envelope) {
    try {
      envelopes.put(++id, JSON.readTree(envelope));
      DocumentState.apply(kv, "acme", id, envelopes.get(id));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String change(String op, String key, String rest) {
    return "{\"operation\":\""
        + op
        + "\",\"database\":\"app\",\"collection\":\"orders\",\"documentKey\":{\"_id\":\""
        + key
        + "\"}"
        + rest
        + "}";
  }

  private void insert(String key, String document) {
    apply(change("insert", key, ",\"document\":" + document));
  }

  private void update(String key, String changes) {
    apply(change("update", key, ",\"changes\":" + changes));
  }

  /** The documents as of {@code asOf} (empty: now), by documentKey _id, read one page at a time. */
  private Map<String, JsonNode> state(OptionalLong asOf, int limit) {
    Map<String, JsonNode> docs = new LinkedHashMap<>();
    String after = null;
    OptionalLong pinned = asOf;
    while (true) {
      DocumentState.Page page =
          (DocumentState.Page) DocumentState.page(kv, "acme", pinned, after, limit, e -> true);
      for (String entry : page.entries()) {
        JsonNode node = parse(entry);
        docs.put(node.path("documentKey").path("_id").asText(), node.path("document"));
      }
      pinned = OptionalLong.of(page.asOf());
      if (!page.more()) {
        return docs;
      }
      after = page.lastKey();
    }
  }

  private Map<String, JsonNode> now() {
    return state(OptionalLong.empty(), 1000);
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void insertsReplacesAndUpdatesWithAPostImageSetTheDocument() {
    insert("a", "{\"_id\":\"a\",\"n\":1}");
    apply(change("replace", "a", ",\"document\":{\"_id\":\"a\",\"m\":2}"));
    apply(change("update", "a", ",\"document\":{\"_id\":\"a\",\"m\":3},\"changes\":{}"));
    assertThat(now()).containsExactly(Map.entry("a", parse("{\"_id\":\"a\",\"m\":3}")));
    assertThat(DocumentState.applied(kv, "acme")).isEqualTo(3);
  }

  @Test
  void updatesWithoutAPostImageApplyTheirChangesToThePreviousVersion() {
    insert(
        "a", "{\"_id\":\"a\",\"s\":{\"x\":1,\"y\":2},\"tags\":[\"p\",\"q\",\"r\"],\"gone\":true}");
    // $set with a dotted path and a new nested path, $unset, $push (an index set), $pop (truncate)
    update(
        "a",
        "{\"updatedFields\":{\"s.x\":10,\"t.u.v\":\"new\",\"tags.3\":\"s\"},"
            + "\"removedFields\":[\"gone\",\"s.y\"],\"truncatedArrays\":[]}");
    update(
        "a",
        "{\"updatedFields\":{},\"removedFields\":[],"
            + "\"truncatedArrays\":[{\"field\":\"tags\",\"newSize\":2}]}");
    assertThat(now().get("a"))
        .isEqualTo(
            parse(
                "{\"_id\":\"a\",\"s\":{\"x\":10},\"tags\":[\"p\",\"q\"],"
                    + "\"t\":{\"u\":{\"v\":\"new\"}}}"));
  }

  @Test
  void deletesRemoveAndPublishedEventsAreNoDocuments() {
    insert("a", "{\"_id\":\"a\"}");
    insert("b", "{\"_id\":\"b\"}");
    apply(change("delete", "a", ""));
    apply("{\"operation\":\"publish\",\"type\":\"note\",\"data\":{\"x\":1}}");
    assertThat(now()).containsOnlyKeys("b");
    assertThat(DocumentState.applied(kv, "acme")).isEqualTo(4);
  }

  @Test
  void anUpdateOfAnUnknownDocumentWithoutPostImageChangesNothing() {
    update("ghost", "{\"updatedFields\":{\"x\":1}}");
    assertThat(now()).isEmpty();
  }

  @Test
  void droppedCollectionsAndDatabasesLoseTheirDocumentsRenamedOnesMove() {
    insert("a", "{\"_id\":\"a\"}");
    apply(
        "{\"operation\":\"insert\",\"database\":\"app\",\"collection\":\"invoices\","
            + "\"documentKey\":{\"_id\":\"i\"},\"document\":{\"_id\":\"i\"}}");
    apply(
        "{\"operation\":\"insert\",\"database\":\"other\",\"collection\":\"orders\","
            + "\"documentKey\":{\"_id\":\"o\"},\"document\":{\"_id\":\"o\"}}");
    apply(
        "{\"operation\":\"reset\",\"reason\":\"collection-renamed\",\"namespaces\":"
            + "[{\"db\":\"app\",\"coll\":\"orders\"},{\"db\":\"app\",\"coll\":\"archive\"}]}");
    Map<String, String> collections = new LinkedHashMap<>();
    DocumentState.Page page =
        (DocumentState.Page)
            DocumentState.page(kv, "acme", OptionalLong.empty(), null, 100, e -> true);
    for (String entry : page.entries()) {
      JsonNode node = parse(entry);
      collections.put(
          node.path("documentKey").path("_id").asText(),
          node.path("database").asText() + "." + node.path("collection").asText());
    }
    assertThat(collections)
        .containsOnly(
            Map.entry("a", "app.archive"),
            Map.entry("i", "app.invoices"),
            Map.entry("o", "other.orders"));
    apply(
        "{\"operation\":\"reset\",\"reason\":\"collection-dropped\",\"namespaces\":"
            + "[{\"db\":\"app\",\"coll\":\"invoices\"}]}");
    assertThat(now()).containsOnlyKeys("a", "o");
    apply(
        "{\"operation\":\"reset\",\"reason\":\"database-dropped\",\"namespaces\":[{\"db\":\"app\"}]}");
    assertThat(now()).containsOnlyKeys("o");
    // a reset that names no changed document keeps the state
    apply("{\"operation\":\"reset\",\"reason\":\"source-history-lost\"}");
    assertThat(now()).containsOnlyKeys("o");
    // and every step is still readable as of its id
    assertThat(state(OptionalLong.of(3), 1)).containsOnlyKeys("a", "i", "o");
    assertThat(state(OptionalLong.of(5), 1)).containsOnlyKeys("a", "o");
  }

  @Test
  void aSnapshotAsOfAnIdStaysExactWhileWritesGoOn() {
    for (int i = 0; i < 20; i++) {
      insert("d" + (char) ('a' + i), "{\"v\":" + i + "}");
    }
    long asOf = id;
    Map<String, JsonNode> expected = now();
    // page 1 as of asOf, then changes of every kind, page by page
    List<Map<String, JsonNode>> pages = new ArrayList<>();
    Map<String, JsonNode> read = new LinkedHashMap<>();
    String after = null;
    int round = 0;
    while (true) {
      DocumentState.Page page =
          (DocumentState.Page)
              DocumentState.page(kv, "acme", OptionalLong.of(asOf), after, 3, e -> true);
      assertThat(page.asOf()).isEqualTo(asOf);
      for (String entry : page.entries()) {
        JsonNode node = parse(entry);
        read.put(node.path("documentKey").path("_id").asText(), node.path("document"));
      }
      // writes between pages: update one ahead, delete one ahead, insert new ones, update behind
      round++;
      apply(change("delete", "d" + (char) ('a' + Math.min(19, round * 3 + 1)), ""));
      update("d" + (char) ('a' + Math.min(19, round * 3 + 2)), "{\"updatedFields\":{\"v\":-1}}");
      insert("d" + (char) ('a' + round) + "x", "{\"v\":100}");
      update("da", "{\"updatedFields\":{\"v\":-2}}");
      if (!page.more()) {
        break;
      }
      after = page.lastKey();
    }
    assertThat(read).isEqualTo(expected);
    assertThat(state(OptionalLong.of(asOf), 2)).isEqualTo(expected);
    assertThat(now()).isNotEqualTo(expected);
  }

  @Test
  void aSnapshotWhoseSupersededVersionsLeftTheRetentionIsExpired() {
    insert("a", "{}");
    insert("b", "{}");
    update("a", "{\"updatedFields\":{\"v\":1}}");
    DocumentState.evictThrough(kv, "acme", 2);
    assertThat(DocumentState.page(kv, "acme", OptionalLong.of(1), null, 10, e -> true))
        .isInstanceOf(DocumentState.Expired.class);
    assertThat(DocumentState.page(kv, "acme", OptionalLong.of(2), null, 10, e -> true))
        .isInstanceOf(DocumentState.Page.class);
    assertThat(DocumentState.page(kv, "acme", OptionalLong.of(9), null, 10, e -> true))
        .isInstanceOf(DocumentState.Behind.class);
  }

  @Test
  void retentionRemovesTheVersionsItsEventsMadeObsoleteAndSnapshotsFromTheFloorStayExact() {
    insert("a", "{\"v\":1}"); // 1
    insert("b", "{\"v\":1}"); // 2
    update("a", "{\"updatedFields\":{\"v\":2}}"); // 3
    apply(change("delete", "b", "")); // 4
    update("a", "{\"updatedFields\":{\"v\":3}}"); // 5
    insert("b", "{\"v\":6}"); // 6
    Map<String, JsonNode> asOf4 = state(OptionalLong.of(4), 1);
    Map<String, JsonNode> asOf5 = state(OptionalLong.of(5), 1);
    String a = DocumentState.docKey("acme", "app", "orders", "{\"_id\":\"a\"}");
    String b = DocumentState.docKey("acme", "app", "orders", "{\"_id\":\"b\"}");
    assertThat(versions(a)).containsExactly(5L, 3L, 1L);
    assertThat(versions(b)).containsExactly(6L, 4L, 2L);
    DocumentState.evictThrough(kv, "acme", 4);
    // a's version 1 (superseded by 3) and b's (deleted by 4, with the deletion) are gone
    assertThat(versions(a)).containsExactly(5L, 3L);
    assertThat(versions(b)).containsExactly(6L);
    assertThat(state(OptionalLong.of(4), 1)).isEqualTo(asOf4).containsOnlyKeys("a");
    assertThat(state(OptionalLong.of(5), 1)).isEqualTo(asOf5);
    DocumentState.evictThrough(kv, "acme", 6);
    assertThat(versions(a)).containsExactly(5L);
    assertThat(versions(b)).containsExactly(6L);
    assertThat(now()).containsOnlyKeys("a", "b");
    assertThat(DocumentState.total(kv)).isEqualTo(2);
  }

  @Test
  void theFloorMovesAtOnceAndTheObsoleteVersionsGoWhenTheWriterRemovesThem() {
    insert("a", "{\"v\":1}"); // 1
    insert("b", "{\"v\":1}"); // 2
    update("a", "{\"updatedFields\":{\"v\":2}}"); // 3
    apply(change("delete", "b", "")); // 4
    String a = DocumentState.docKey("acme", "app", "orders", "{\"_id\":\"a\"}");
    String b = DocumentState.docKey("acme", "app", "orders", "{\"_id\":\"b\"}");
    Map<String, JsonNode> asOf3 = state(OptionalLong.of(3), 1);
    long[] floor = DocumentState.floorAndCleaned(kv, "acme");
    assertThat(floor).containsExactly(-1, -1);
    List<KeyValue<String, String>> batch = new ArrayList<>();
    // the floor passes 3, the versions its events made obsolete stay until removed
    DocumentState.evictThrough(kv, "acme", floor, 3, -1, batch);
    kv.write(batch);
    assertThat(floor).containsExactly(3, -1);
    assertThat(DocumentState.floorAndCleaned(kv, "acme")).containsExactly(3, -1);
    assertThat(versions(a)).containsExactly(3L, 1L);
    assertThat(DocumentState.page(kv, "acme", OptionalLong.of(2), null, 10, e -> true))
        .isInstanceOf(DocumentState.Expired.class);
    assertThat(state(OptionalLong.of(3), 1)).isEqualTo(asOf3);
    // nothing new: nothing written
    batch.clear();
    DocumentState.evictThrough(kv, "acme", floor, 3, -1, batch);
    assertThat(batch).isEmpty();
    // removed through 4: a's version 1, b's versions and its deletion are gone
    DocumentState.evictThrough(kv, "acme", floor, 4, 4, batch);
    kv.write(batch);
    assertThat(floor).containsExactly(4, 4);
    assertThat(kv.get(DocumentState.floorKey("acme"))).isEqualTo("4");
    assertThat(versions(a)).containsExactly(3L);
    assertThat(versions(b)).isEmpty();
    assertThat(now()).containsOnlyKeys("a");
  }

  @Test
  void aVersionHoldsTheEnvelopesOwnTextOfItsDocument() {
    List<KeyValue<String, String>> batch = new ArrayList<>();
    DocumentState.Tenants tenants = new DocumentState.Tenants();
    // read in one pass over the tokens: a field given twice counts with its last value, fields
    // of nested objects are not the envelope's, numbers keep their text
    DocumentState.apply(
        kv,
        tenants,
        "acme",
        1,
        "{\"operation\":\"insert\",\"document\":{\"stale\":true},\"database\":\"app\","
            + "\"collection\":\"orders\",\"documentKey\":{\"_id\":\"a\"},\"changes\":null,"
            + "\"document\":{\"n\":1.50,\"tags\":[\"x\",{\"y\":null}]},"
            + "\"data\":{\"document\":{},\"operation\":\"delete\"}}",
        batch);
    // no database: null in the version, the empty name in its key
    DocumentState.apply(
        kv,
        tenants,
        "acme",
        2,
        "{\"operation\":\"insert\",\"collection\":\"orders\",\"documentKey\":{\"_id\":\"b\"},"
            + "\"document\":{\n  \"n\": 2\n}}",
        batch);
    kv.write(batch);
    String a = DocumentState.docKey("acme", "app", "orders", "{\"_id\":\"a\"}");
    String b = DocumentState.docKey("acme", "", "orders", "{\"_id\":\"b\"}");
    assertThat(kv.get(DocumentState.versionKey(a, 1)))
        .isEqualTo(
            "{\"collection\":\"orders\",\"database\":\"app\",\"documentKey\":{\"_id\":\"a\"},"
                + "\"document\":{\"n\":1.50,\"tags\":[\"x\",{\"y\":null}]},\"id\":\"1\"}");
    // a document spread over lines is held on one line (snapshot events are one data line)
    assertThat(kv.get(DocumentState.versionKey(b, 2)))
        .isEqualTo(
            "{\"collection\":\"orders\",\"database\":null,\"documentKey\":{\"_id\":\"b\"},"
                + "\"document\":{\"n\":2},\"id\":\"2\"}");
    // an update whose document is not an object has no post-image: its changes apply
    batch.clear();
    DocumentState.apply(
        kv,
        tenants,
        "acme",
        3,
        "{\"operation\":\"update\",\"database\":\"app\",\"collection\":\"orders\","
            + "\"documentKey\":{\"_id\":\"a\"},\"document\":null,"
            + "\"changes\":{\"updatedFields\":{\"n\":3},\"removedFields\":[\"tags\"]}}",
        batch);
    kv.write(batch);
    assertThat(parse(kv.get(DocumentState.versionKey(a, 3))).path("document"))
        .isEqualTo(parse("{\"n\":3}"));
    assertThat(DocumentState.total(kv)).isEqualTo(2);
  }

  @Test
  void anEnvelopeThatIsNotAJsonObjectIsRefusedWithTheReason() {
    List<KeyValue<String, String>> batch = new ArrayList<>();
    DocumentState.Tenants tenants = new DocumentState.Tenants();
    assertThatThrownBy(() -> DocumentState.apply(kv, tenants, "acme", 1, "[1]", batch))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(
            () -> DocumentState.apply(kv, tenants, "acme", 1, "{\"operation\":\"insert\",", batch))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("an unreadable envelope");
    assertThat(batch).isEmpty();
  }

  @Test
  void aStateInTheLayoutBeforeVersionsIsFoundAndNotRead() {
    // globex as the edge before versions wrote it: documents and undo entries, applied 3
    kv.write(
        List.of(
            KeyValue.pair("globex#d#app\0orders\0{\"_id\":\"a\"}", "{\"id\":\"3\"}"),
            KeyValue.pair("globex#u#0000000000000000003", "[{\"k\":\"x\",\"p\":null}]"),
            KeyValue.pair("\u0001applied/globex", "3 1")));
    insert("a", "{\"v\":1}"); // acme in versions

    assertThat(DocumentState.earlierLayout(kv)).containsExactly("globex");
  }

  /** The ids of the document's versions held, newest first. */
  private List<Long> versions(String name) {
    List<Long> ids = new ArrayList<>();
    kv.range(
        DocumentState.versionKey(name, Long.MAX_VALUE),
        DocumentState.versionKey(name, 0),
        e -> {
          ids.add(Long.MAX_VALUE - Long.parseLong(e.key.substring(e.key.length() - 19)));
          return true;
        });
    return ids;
  }

  @Test
  void aReReadEventIsSkippedAndAnEventIsWrittenInOneWrite() throws Exception {
    insert("a", "{\"v\":1}");
    update("a", "{\"updatedFields\":{\"v\":2}}");
    // a restart re-reads event 2: skipped, not applied twice
    assertThat(
            DocumentState.apply(
                    kv,
                    "acme",
                    2,
                    JSON.readTree(
                        change("update", "a", ",\"changes\":{\"updatedFields\":{\"w\":9}}")))
                .skipped())
        .isTrue();
    // event 3 is applied into a batch: nothing is written until the batch is, so a crash before it
    // leaves the state as of event 2, and one after it the whole event
    JsonNode event3 =
        JSON.readTree(
            change(
                "update",
                "a",
                ",\"changes\":{\"truncatedArrays\":[],\"updatedFields\":{\"v\":3}}"));
    List<KeyValue<String, String>> batch = new ArrayList<>();
    DocumentState.apply(kv, new DocumentState.Tenants(), "acme", 3, event3.toString(), batch);
    String a = DocumentState.docKey("acme", "app", "orders", "{\"_id\":\"a\"}");
    assertThat(batch)
        .extracting(e -> e.key)
        .containsExactly(
            DocumentState.versionKey(a, 3),
            DocumentState.headKey("acme", a),
            DocumentState.supersededKey("acme", 3),
            DocumentState.watermarkKey("acme"));
    assertThat(DocumentState.applied(kv, "acme")).isEqualTo(2);
    assertThat(now().get("a")).isEqualTo(parse("{\"v\":2}"));
    assertThat(DocumentState.images(kv, "acme", 3, event3)).isEmpty();
    // the crash lost the batch; the restarted writer reads the event again and applies it whole
    assertThat(DocumentState.apply(kv, "acme", 3, event3).skipped()).isFalse();
    assertThat(DocumentState.applied(kv, "acme")).isEqualTo(3);
    assertThat(now().get("a")).isEqualTo(parse("{\"v\":3}"));
    assertThat(state(OptionalLong.of(2), 10).get("a")).isEqualTo(parse("{\"v\":2}"));
  }

  @Test
  void theWriterKeepsEachTenantsAppliedIdAfterReadingItOnce() {
    insert("a", "{}");
    DocumentState.Tenants tenants = new DocumentState.Tenants();
    List<KeyValue<String, String>> batch = new ArrayList<>();
    DocumentState.apply(kv, tenants, "acme", 2, change("insert", "b", ",\"document\":{}"), batch);
    kv.write(batch);
    batch.clear();
    // the writer's own view: event 2 is applied (so it is skipped), and the count is 2
    assertThat(
            DocumentState.apply(
                    kv, tenants, "acme", 2, change("insert", "c", ",\"document\":{}"), batch)
                .skipped())
        .isTrue();
    DocumentState.apply(kv, tenants, "acme", 3, change("delete", "a", ""), batch);
    kv.write(batch);
    assertThat(DocumentState.total(kv)).isEqualTo(1);
    assertThat(now()).containsOnlyKeys("b");
  }

  @Test
  void imagesGiveTheVersionBeforeAndTheComputedOneAfter() {
    insert("a", "{\"v\":1}");
    update("a", "{\"updatedFields\":{\"v\":2}}");
    apply(change("delete", "a", ""));
    insert("a", "{\"v\":4}");
    DocumentState.Images insert = DocumentState.images(kv, "acme", 1, envelopes.get(1L)).get();
    assertThat(insert.before()).isNull();
    assertThat(insert.after()).isNull(); // the envelope's own
    DocumentState.Images update = DocumentState.images(kv, "acme", 2, envelopes.get(2L)).get();
    assertThat(update.before()).isEqualTo(parse("{\"v\":1}"));
    assertThat(update.after()).isEqualTo(parse("{\"v\":2}"));
    DocumentState.Images delete = DocumentState.images(kv, "acme", 3, envelopes.get(3L)).get();
    assertThat(delete.before()).isEqualTo(parse("{\"v\":2}"));
    assertThat(delete.after()).isNull();
    assertThat(DocumentState.images(kv, "acme", 4, envelopes.get(4L)).get().before()).isNull();
    // an update of an unknown document changed nothing; events that are no documents' neither
    update("b", "{\"updatedFields\":{\"v\":5}}");
    assertThat(DocumentState.images(kv, "acme", 5, envelopes.get(5L))).isEmpty();
    apply("{\"operation\":\"publish\",\"data\":{}}");
    assertThat(DocumentState.images(kv, "acme", 6, envelopes.get(6L))).isEmpty();
    // once the event left the retention, the version before it may be gone: no images
    DocumentState.evictThrough(kv, "acme", 2);
    assertThat(DocumentState.images(kv, "acme", 2, envelopes.get(2L))).isEmpty();
    assertThat(DocumentState.images(kv, "acme", 4, envelopes.get(4L))).isPresent();
  }

  @Test
  void tenantsAreApart() throws Exception {
    insert("a", "{}");
    DocumentState.apply(
        kv, "acme-2", 1, JSON.readTree(change("insert", "z", ",\"document\":{\"t\":2}")));
    assertThat(now()).containsOnlyKeys("a");
    DocumentState.Page other =
        (DocumentState.Page)
            DocumentState.page(kv, "acme-2", OptionalLong.empty(), null, 10, e -> true);
    assertThat(other.entries()).hasSize(1).allMatch(e -> e.contains("\"z\""));
    assertThat(other.asOf()).isEqualTo(1);
  }
}
