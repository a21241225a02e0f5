package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.List;

/**
 * MLPClassifier and MLPRegressor: the forward pass through {@code coefs_} and {@code intercepts_},
 * the hidden activation after every hidden layer and {@code out_activation_} after the last.
 */
final class Perceptron {
  private final double[][][] weights;
  private final double[][] biases;
  private final String hidden;
  private final String output;

  private Perceptron(PyObject model) {
    List<?> coefs = model.list("coefs_");
    List<?> intercepts = model.list("intercepts_");
    this.weights = new double[coefs.size()][][];
    this.biases = new double[coefs.size()][];
    for (int layer = 0; layer < coefs.size(); layer++) {
      weights[layer] = transpose(((NdArray) coefs.get(layer)).toMatrix());
      biases[layer] = ((NdArray) intercepts.get(layer)).toDoubles();
    }
    this.hidden = model.string("activation");
    this.output = model.string("out_activation_");
    checkActivation(hidden);
    checkActivation(output);
  }

  private static void checkActivation(String name) {
    if (!List.of("identity", "logistic", "tanh", "relu", "softmax").contains(name)) {
      throw new IllegalArgumentException("the MLP activation " + name + " is not supported");
    }
  }

  /** coefs_ are [inputs, outputs]; {@link Matrix#timesTransposed} wants a row per output. */
  private static double[][] transpose(double[][] m) {
    double[][] t = new double[m[0].length][m.length];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m[0].length; j++) {
        t[j][i] = m[i][j];
      }
    }
    return t;
  }

  Matrix forward(Matrix x) {
    Matrix activation = x;
    for (int layer = 0; layer < weights.length; layer++) {
      activation = activation.timesTransposed(weights[layer], biases[layer]);
      activation = activate(activation, layer == weights.length - 1 ? output : hidden);
    }
    return activation;
  }

  private static Matrix activate(Matrix m, String function) {
    if (function.equals("softmax")) {
      return RowMath.softmax(m);
    }
    double[] v = m.values();
    for (int i = 0; i < v.length; i++) {
      v[i] =
          switch (function) {
            case "logistic" -> RowMath.expit(v[i]);
            case "tanh" -> Math.tanh(v[i]);
            case "relu" -> Math.max(v[i], 0);
            default -> v[i];
          };
    }
    return m;
  }

  static Estimator classifier(PyObject model) {
    Perceptron network = new Perceptron(model);
    String type = String.valueOf(model.object("_label_binarizer").get("y_type_", "multiclass"));
    if (type.startsWith("multilabel")) {
      throw new IllegalArgumentException("multi-label MLP classifiers are not supported");
    }
    return new ProbabilisticClassifier(model) {
      @Override
      protected Matrix scores(Matrix x) {
        Matrix out = network.forward(x);
        // One logistic output for two classes: the second class above 0.5.
        return out.columns() == 1 ? RowMath.twoClasses(out.values()) : out;
      }
    };
  }

  static Estimator regressor(PyObject model) {
    Perceptron network = new Perceptron(model);
    int outputs = network.biases[network.biases.length - 1].length;
    return new Estimator() {
      @Override
      public Tensor predict(Table rows, String name) {
        return Tensors.regression(name, network.forward(rows.numeric()));
      }

      @Override
      public TensorSpec predictSpec(String name) {
        return Tensors.regressionSpec(name, outputs);
      }
    };
  }
}
