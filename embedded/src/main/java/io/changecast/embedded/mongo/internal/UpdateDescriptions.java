package io.changecast.embedded.mongo.internal;

import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Computes a change event's {@code updateDescription} from the document before and after an update,
 * in the shape of MongoDB's delta-based descriptions: changed or added fields in {@code
 * updatedFields} (dotted paths into sub-documents and array elements), vanished fields in {@code
 * removedFields}, shrunken arrays in {@code truncatedArrays} ({@code {field, newSize}}, applied
 * before {@code updatedFields}), and {@code disambiguatedPaths}: for each of those paths with a
 * field name that is numeric or contains a dot, the path as an array of field names (strings) and
 * array indexes (ints). Streams without {@code showExpandedEvents} do not show that field.
 */
final class UpdateDescriptions {

  private UpdateDescriptions() {}

  static Document describe(Document before, Document after) {
    Diff diff = new Diff();
    diffDocuments("", List.of(), before, after, diff);
    return new Document("updatedFields", diff.updated)
        .append("removedFields", diff.removed)
        .append("truncatedArrays", diff.truncated)
        .append(DISAMBIGUATED_PATHS, diff.disambiguated);
  }

  static final String DISAMBIGUATED_PATHS = "disambiguatedPaths";

  /** The description being built. */
  private static final class Diff {
    final Document updated = new Document();
    final List<String> removed = new ArrayList<>();
    final List<Document> truncated = new ArrayList<>();
    final Document disambiguated = new Document();

    void note(String path, List<Object> parts) {
      for (Object part : parts) {
        if (part instanceof String name && (name.contains(".") || isNumeric(name))) {
          disambiguated.put(path, new ArrayList<>(parts));
          return;
        }
      }
    }

    private static boolean isNumeric(String name) {
      return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
  }

  private static List<Object> plus(List<Object> parts, Object part) {
    List<Object> result = new ArrayList<>(parts);
    result.add(part);
    return result;
  }

  private static void diffDocuments(
      String prefix, List<Object> parts, Document before, Document after, Diff diff) {
    for (String key : after.keySet()) {
      String path = prefix + key;
      Object newValue = after.get(key);
      if (!before.containsKey(key)) {
        diff.updated.put(path, copy(newValue));
        diff.note(path, plus(parts, key));
      } else {
        diffValues(path, plus(parts, key), before.get(key), newValue, diff);
      }
    }
    for (String key : before.keySet()) {
      if (!after.containsKey(key)) {
        diff.removed.add(prefix + key);
        diff.note(prefix + key, plus(parts, key));
      }
    }
  }

  private static void diffValues(
      String path, List<Object> parts, Object oldValue, Object newValue, Diff diff) {
    if (sameValue(oldValue, newValue)) {
      return;
    }
    if (oldValue instanceof Document oldDoc && newValue instanceof Document newDoc) {
      if (!oldDoc.keySet().iterator().hasNext() || !sameKeyOrder(oldDoc, newDoc)) {
        diff.updated.put(path, copy(newValue));
        diff.note(path, parts);
      } else {
        diffDocuments(path + ".", parts, oldDoc, newDoc, diff);
      }
    } else if (oldValue instanceof List<?> oldList && newValue instanceof List<?> newList) {
      diffArrays(path, parts, oldList, newList, diff);
    } else {
      diff.updated.put(path, copy(newValue));
      diff.note(path, parts);
    }
  }

  private static void diffArrays(
      String path, List<Object> parts, List<?> oldList, List<?> newList, Diff diff) {
    if (newList.size() < oldList.size()) {
      diff.truncated.add(new Document("field", path).append("newSize", newList.size()));
      diff.note(path, parts);
    }
    for (int i = 0; i < newList.size(); i++) {
      String elementPath = path + "." + i;
      if (i >= oldList.size()) {
        diff.updated.put(elementPath, copy(newList.get(i)));
        diff.note(elementPath, plus(parts, i));
      } else {
        diffValues(elementPath, plus(parts, i), oldList.get(i), newList.get(i), diff);
      }
    }
  }

  /** Fields whose common keys keep their relative order can be described field by field. */
  private static boolean sameKeyOrder(Document oldDoc, Document newDoc) {
    List<String> oldCommon = new ArrayList<>(oldDoc.keySet());
    oldCommon.retainAll(newDoc.keySet());
    List<String> newCommon = new ArrayList<>(newDoc.keySet());
    newCommon.retainAll(oldDoc.keySet());
    return oldCommon.equals(newCommon);
  }

  private static boolean sameValue(Object a, Object b) {
    return Objects.equals(a, b) && (a == null || a.getClass() == b.getClass());
  }

  static Object copy(Object value) {
    if (value instanceof Document document) {
      return document.cloneDeeply();
    }
    if (value instanceof List<?> list) {
      List<Object> result = new ArrayList<>(list.size());
      for (Object element : list) {
        result.add(copy(element));
      }
      return result;
    }
    return value;
  }
}
