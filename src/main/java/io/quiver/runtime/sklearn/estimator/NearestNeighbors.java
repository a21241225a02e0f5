package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.Arrays;

/**
 * KNeighborsClassifier and KNeighborsRegressor: an exact search of the fitted samples (what
 * scikit-learn's trees find too), with uniform or inverse-distance weights.
 */
final class NearestNeighbors {
  private final double[][] samples;
  private final int k;
  private final double p;
  private final boolean byDistance;

  private NearestNeighbors(PyObject model) {
    this.samples = model.array("_fit_X").toMatrix();
    this.k = model.integer("n_neighbors");
    String metric = String.valueOf(model.get("effective_metric_", model.get("metric", "minkowski")));
    this.p =
        switch (metric) {
          case "euclidean" -> 2;
          case "manhattan", "cityblock", "l1" -> 1;
          case "minkowski" -> model.number("p");
          default -> throw new IllegalArgumentException("nearest neighbours by the " + metric + " metric are not supported");
        };
    String weights = String.valueOf(model.get("weights", "uniform"));
    if (!weights.equals("uniform") && !weights.equals("distance")) {
      throw new IllegalArgumentException("nearest neighbours weighted by " + weights + " are not supported");
    }
    this.byDistance = weights.equals("distance");
    if (model.array("_y").rank() != 1) {
      throw new IllegalArgumentException("multi-output nearest neighbours are not supported");
    }
  }

  /** The k nearest samples of a row, nearest first, and their weights. */
  private Neighbours find(Matrix x, int row) {
    int[] index = new int[k];
    double[] distance = new double[k];
    Arrays.fill(distance, Double.POSITIVE_INFINITY);
    for (int s = 0; s < samples.length; s++) {
      double d = distance(x, row, samples[s]);
      if (d < distance[k - 1]) {
        int at = k - 1;
        while (at > 0 && distance[at - 1] > d) {
          distance[at] = distance[at - 1];
          index[at] = index[at - 1];
          at--;
        }
        distance[at] = d;
        index[at] = s;
      }
    }
    return new Neighbours(index, weights(distance));
  }

  private double distance(Matrix x, int row, double[] sample) {
    double sum = 0;
    for (int f = 0; f < sample.length; f++) {
      double d = Math.abs(x.get(row, f) - sample[f]);
      sum += p == 2 ? d * d : p == 1 ? d : Math.pow(d, p);
    }
    return p == 2 ? Math.sqrt(sum) : p == 1 ? sum : Math.pow(sum, 1 / p);
  }

  /** Uniform weights, or 1/distance where an exact match takes all the weight. */
  private double[] weights(double[] distance) {
    double[] weights = new double[k];
    if (!byDistance) {
      Arrays.fill(weights, 1);
      return weights;
    }
    boolean exact = false;
    for (double d : distance) {
      exact |= d == 0;
    }
    for (int i = 0; i < k; i++) {
      weights[i] = exact ? (distance[i] == 0 ? 1 : 0) : 1 / distance[i];
    }
    return weights;
  }

  private record Neighbours(int[] index, double[] weight) {}

  static Estimator classifier(PyObject model) {
    NearestNeighbors search = new NearestNeighbors(model);
    long[] y = model.array("_y").toLongs();
    return new ProbabilisticClassifier(model) {
      @Override
      protected Matrix scores(Matrix x) {
        int classes = labels.count();
        double[] votes = new double[x.rows() * classes];
        for (int r = 0; r < x.rows(); r++) {
          Neighbours neighbours = search.find(x, r);
          for (int i = 0; i < search.k; i++) {
            votes[r * classes + (int) y[neighbours.index[i]]] += neighbours.weight[i];
          }
        }
        return RowMath.normalise(new Matrix(x.rows(), classes, votes));
      }
    };
  }

  static Estimator regressor(PyObject model) {
    NearestNeighbors search = new NearestNeighbors(model);
    double[] y = model.array("_y").toDoubles();
    return new Estimator() {
      @Override
      public Tensor predict(Table rows, String name) {
        Matrix x = rows.numeric();
        double[] predictions = new double[x.rows()];
        for (int r = 0; r < x.rows(); r++) {
          Neighbours neighbours = search.find(x, r);
          double sum = 0;
          double total = 0;
          for (int i = 0; i < search.k; i++) {
            sum += y[neighbours.index[i]] * neighbours.weight[i];
            total += neighbours.weight[i];
          }
          predictions[r] = sum / total;
        }
        return Tensors.column(name, predictions);
      }

      @Override
      public TensorSpec predictSpec(String name) {
        return Tensors.regressionSpec(name, 1);
      }
    };
  }
}
