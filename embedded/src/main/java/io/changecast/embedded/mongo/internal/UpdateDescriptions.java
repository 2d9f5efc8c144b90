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
 * before {@code updatedFields}).
 */
final class UpdateDescriptions {

  private UpdateDescriptions() {}

  static Document describe(Document before, Document after) {
    Document updated = new Document();
    List<String> removed = new ArrayList<>();
    List<Document> truncated = new ArrayList<>();
    diffDocuments("", before, after, updated, removed, truncated);
    return new Document("updatedFields", updated)
        .append("removedFields", removed)
        .append("truncatedArrays", truncated);
  }

  private static void diffDocuments(
      String prefix,
      Document before,
      Document after,
      Document updated,
      List<String> removed,
      List<Document> truncated) {
    for (String key : after.keySet()) {
      String path = prefix + key;
      Object newValue = after.get(key);
      if (!before.containsKey(key)) {
        updated.put(path, copy(newValue));
      } else {
        diffValues(path, before.get(key), newValue, updated, removed, truncated);
      }
    }
    for (String key : before.keySet()) {
      if (!after.containsKey(key)) {
        removed.add(prefix + key);
      }
    }
  }

  private static void diffValues(
      String path,
      Object oldValue,
      Object newValue,
      Document updated,
      List<String> removed,
      List<Document> truncated) {
    if (sameValue(oldValue, newValue)) {
      return;
    }
    if (oldValue instanceof Document oldDoc && newValue instanceof Document newDoc) {
      if (!oldDoc.keySet().iterator().hasNext() || !sameKeyOrder(oldDoc, newDoc)) {
        updated.put(path, copy(newValue));
      } else {
        diffDocuments(path + ".", oldDoc, newDoc, updated, removed, truncated);
      }
    } else if (oldValue instanceof List<?> oldList && newValue instanceof List<?> newList) {
      diffArrays(path, oldList, newList, updated, removed, truncated);
    } else {
      updated.put(path, copy(newValue));
    }
  }

  private static void diffArrays(
      String path,
      List<?> oldList,
      List<?> newList,
      Document updated,
      List<String> removed,
      List<Document> truncated) {
    if (newList.size() < oldList.size()) {
      truncated.add(new Document("field", path).append("newSize", newList.size()));
    }
    for (int i = 0; i < newList.size(); i++) {
      String elementPath = path + "." + i;
      if (i >= oldList.size()) {
        updated.put(elementPath, copy(newList.get(i)));
      } else {
        diffValues(elementPath, oldList.get(i), newList.get(i), updated, removed, truncated);
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
