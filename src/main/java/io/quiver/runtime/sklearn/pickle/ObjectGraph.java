package io.quiver.runtime.sklearn.pickle;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Checks an unpickled object graph before a model is built from it: no object may contain itself
 * (a pipeline among its own steps) and nothing may nest deeper than any model does. The walk is
 * iterative, so a hostile file cannot overflow the stack of the thread that checks it.
 */
public final class ObjectGraph {
  /** Far deeper than any scikit-learn model nests (a pipeline of column transformers of pipelines...). */
  static final int MAX_DEPTH = 1_000;

  private ObjectGraph() {}

  private record Visit(Object node, int depth, boolean leaving) {}

  /**
   * @throws IllegalArgumentException naming the problem
   */
  public static void requireAcyclicAndShallow(Object root) {
    Map<Object, Boolean> onPath = new IdentityHashMap<>();
    Map<Object, Boolean> done = new IdentityHashMap<>();
    Deque<Visit> pending = new ArrayDeque<>();
    pending.push(new Visit(root, 0, false));
    while (!pending.isEmpty()) {
      Visit visit = pending.pop();
      Object node = visit.node();
      if (visit.leaving()) {
        onPath.remove(node);
        done.put(node, true);
        continue;
      }
      if (onPath.containsKey(node)) {
        throw new IllegalArgumentException(
            "the model contains itself (%s is among its own parts); refusing it".formatted(describe(node)));
      }
      if (done.containsKey(node)) {
        continue;
      }
      if (visit.depth() > MAX_DEPTH) {
        throw new IllegalArgumentException(
            "the model file nests objects more than %d levels deep; no model does, refusing it".formatted(MAX_DEPTH));
      }
      onPath.put(node, true);
      pending.push(new Visit(node, visit.depth(), true));
      for (Object child : children(node)) {
        if (child != null && !(child instanceof NdArray) && !(child instanceof String) && !(child instanceof Number)) {
          pending.push(new Visit(child, visit.depth() + 1, false));
        }
      }
    }
  }

  private static Iterable<?> children(Object node) {
    return switch (node) {
      case PyObject object -> object.attributeValues();
      case Collection<?> collection -> collection;
      case Map<?, ?> map -> map.values();
      case Object[] array -> java.util.Arrays.asList(array);
      default -> java.util.List.of();
    };
  }

  private static String describe(Object node) {
    return node instanceof PyObject object ? "a " + object.simpleName() : "a " + node.getClass().getSimpleName();
  }
}
