package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;

/**
 * PolynomialFeatures: the bias column, then every product of features by degree, in the order of
 * Python's itertools combinations. Each product is formed as scikit-learn forms it, the previous
 * degree's product of the later features times the first.
 */
final class PolynomialFeatures implements Transformer {
  private final List<int[]> terms = new ArrayList<>();

  PolynomialFeatures(PyObject model) {
    int features = model.integer("n_features_in_");
    int minDegree = model.integer("_min_degree");
    int maxDegree = model.integer("_max_degree");
    boolean interactionOnly = model.flag("interaction_only");
    if (model.flag("include_bias")) {
      terms.add(new int[0]);
    }
    for (int degree = Math.max(1, minDegree); degree <= maxDegree; degree++) {
      combinations(features, degree, interactionOnly, new int[degree], 0, 0);
    }
  }

  private void combinations(int features, int degree, boolean distinct, int[] current, int position, int from) {
    if (position == degree) {
      terms.add(current.clone());
      return;
    }
    for (int f = from; f < features; f++) {
      current[position] = f;
      combinations(features, degree, distinct, current, position + 1, distinct ? f + 1 : f);
    }
  }

  @Override
  public Table transform(Table rows) {
    Matrix x = rows.numeric();
    int width = terms.size();
    double[] out = new double[x.rows() * width];
    for (int r = 0; r < x.rows(); r++) {
      for (int t = 0; t < width; t++) {
        int[] term = terms.get(t);
        double product = 1;
        if (term.length > 0) {
          product = x.get(r, term[term.length - 1]);
          for (int i = term.length - 2; i >= 0; i--) {
            product *= x.get(r, term[i]);
          }
        }
        out[r * width + t] = product;
      }
    }
    return Table.of(new Matrix(x.rows(), width, out));
  }
}
