package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.function.DoubleUnaryOperator;

/**
 * LogisticRegression, SGDClassifier, LinearSVC and the other linear classifiers: the class of the
 * highest decision (for two classes, the second when the decision is positive), with
 * predict_proba as each estimator defines it.
 */
final class LinearClassifier extends Classifier {
  /** How an estimator turns decisions into probabilities. */
  enum Probabilities {
    NONE,
    /** One-vs-rest logistic: expit of each decision, normalised over the classes. */
    ONE_VS_REST,
    /** Multinomial: softmax over the decisions. */
    SOFTMAX,
    /** SGDClassifier's modified Huber loss: (clip(d, -1, 1) + 1) / 2, normalised. */
    MODIFIED_HUBER
  }

  private final LinearFunction function;
  private final Probabilities probabilities;

  LinearClassifier(PyObject model, Probabilities probabilities) {
    super(model);
    this.function = LinearFunction.of(model);
    this.probabilities = probabilities;
  }

  /** LogisticRegression's rule for one-vs-rest or multinomial probabilities. */
  static Probabilities logistic(PyObject model) {
    String multiClass = String.valueOf(model.get("multi_class", "auto"));
    boolean oneVsRest =
        multiClass.equals("ovr")
            || (!multiClass.equals("multinomial")
                && (model.array("classes_").size() <= 2 || "liblinear".equals(model.get("solver", null))));
    return oneVsRest ? Probabilities.ONE_VS_REST : Probabilities.SOFTMAX;
  }

  /** SGDClassifier has predict_proba only for its probabilistic losses. */
  static Probabilities sgd(PyObject model) {
    return switch (String.valueOf(model.get("loss", "hinge"))) {
      case "log_loss", "log" -> Probabilities.ONE_VS_REST;
      case "modified_huber" -> Probabilities.MODIFIED_HUBER;
      default -> Probabilities.NONE;
    };
  }

  @Override
  protected Matrix scores(Matrix x) {
    Matrix decision = function.apply(x);
    return decision.columns() == 1 ? RowMath.signed(decision.values()) : decision;
  }

  @Override
  public boolean hasProbabilities() {
    return probabilities != Probabilities.NONE;
  }

  @Override
  protected Matrix probabilities(Matrix scores) {
    boolean binary = function.outputs() == 1;
    return switch (probabilities) {
      case SOFTMAX -> RowMath.softmax(scores);
      case ONE_VS_REST -> binary ? RowMath.twoClasses(positive(scores, RowMath::expit)) : RowMath.normalise(map(scores, RowMath::expit));
      case MODIFIED_HUBER ->
          binary ? RowMath.twoClasses(positive(scores, LinearClassifier::huber)) : huberNormalised(map(scores, LinearClassifier::huber));
      case NONE -> super.probabilities(scores);
    };
  }

  private static double huber(double decision) {
    return (Math.clamp(decision, -1.0, 1.0) + 1.0) / 2.0;
  }

  /** The positive class's decision of each two-class row, mapped. */
  private static double[] positive(Matrix signed, DoubleUnaryOperator f) {
    double[] out = new double[signed.rows()];
    for (int r = 0; r < out.length; r++) {
      out[r] = f.applyAsDouble(signed.get(r, 1));
    }
    return out;
  }

  private static Matrix map(Matrix m, DoubleUnaryOperator f) {
    double[] out = new double[m.values().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(m.values()[i]);
    }
    return new Matrix(m.rows(), m.columns(), out);
  }

  /** Rows summing to zero become uniform, as scikit-learn does for modified Huber. */
  private static Matrix huberNormalised(Matrix m) {
    double[] out = m.values();
    for (int r = 0; r < m.rows(); r++) {
      double sum = 0;
      for (int c = 0; c < m.columns(); c++) {
        sum += out[r * m.columns() + c];
      }
      for (int c = 0; c < m.columns(); c++) {
        out[r * m.columns() + c] = sum == 0 ? 1.0 / m.columns() : out[r * m.columns() + c] / sum;
      }
    }
    return m;
  }
}
