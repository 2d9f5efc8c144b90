package io.changecast.contract;

import java.math.BigInteger;
import java.util.Map;

/**
 * How {@link TenantStrategy} reads a document of some JSON model without depending on one: the
 * router reads Jackson trees, the config CLI plain Java values ({@link #PLAIN}).
 *
 * @param <N> the model's node type
 */
public interface DocumentReader<N> {

  /** The field {@code name} of {@code node}; {@code null} when it is no object or has none. */
  N field(N node, String name);

  /** The number of fields of {@code node} when it is an object, else -1. */
  int size(N node);

  /** The text of {@code node} when it is a string, else {@code null}. */
  String text(N node);

  /** The decimal digits of {@code node} when it is a whole number, else {@code null}. */
  String wholeNumber(N node);

  /**
   * Plain Java values, as a JSON library maps a document: {@code Map<String, ?>} objects, {@code
   * String}s, {@code Integer}/{@code Long}/{@code Short}/{@code Byte}/{@code BigInteger} whole
   * numbers.
   */
  DocumentReader<Object> PLAIN =
      new DocumentReader<>() {
        @Override
        public Object field(Object node, String name) {
          return node instanceof Map<?, ?> map ? map.get(name) : null;
        }

        @Override
        public int size(Object node) {
          return node instanceof Map<?, ?> map ? map.size() : -1;
        }

        @Override
        public String text(Object node) {
          return node instanceof String text ? text : null;
        }

        @Override
        public String wholeNumber(Object node) {
          return node instanceof Integer
                  || node instanceof Long
                  || node instanceof Short
                  || node instanceof Byte
                  || node instanceof BigInteger
              ? node.toString()
              : null;
        }
      };
}
