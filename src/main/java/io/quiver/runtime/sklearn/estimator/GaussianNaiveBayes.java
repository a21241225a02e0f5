package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;

/**
 * GaussianNB: the joint log likelihood of each class, as scikit-learn sums it; predict_proba
 * normalises it with scipy's logsumexp.
 */
final class GaussianNaiveBayes extends Classifier {
  private final double[] logPrior;
  private final double[][] mean;
  private final double[][] variance;
  /** {@code -0.5 * sum(log(2 pi var))} per class. */
  private final double[] logNormaliser;

  GaussianNaiveBayes(PyObject model) {
    super(model);
    double[] prior = model.array("class_prior_").toDoubles();
    this.mean = model.array("theta_").toMatrix();
    // scikit-learn before 1.0 named the variances sigma_.
    this.variance = model.array(model.has("var_") ? "var_" : "sigma_").toMatrix();
    this.logPrior = new double[prior.length];
    this.logNormaliser = new double[prior.length];
    for (int c = 0; c < prior.length; c++) {
      logPrior[c] = Math.log(prior[c]);
      double sum = 0;
      for (double v : variance[c]) {
        sum += Math.log(2.0 * Math.PI * v);
      }
      logNormaliser[c] = -0.5 * sum;
    }
  }

  @Override
  protected Matrix scores(Matrix x) {
    int classes = logPrior.length;
    double[] jll = new double[x.rows() * classes];
    for (int r = 0; r < x.rows(); r++) {
      for (int c = 0; c < classes; c++) {
        double sum = 0;
        for (int f = 0; f < x.columns(); f++) {
          double d = x.get(r, f) - mean[c][f];
          sum += d * d / variance[c][f];
        }
        jll[r * classes + c] = logPrior[c] + (logNormaliser[c] - 0.5 * sum);
      }
    }
    return new Matrix(x.rows(), classes, jll);
  }

  @Override
  public boolean hasProbabilities() {
    return true;
  }

  @Override
  protected Matrix probabilities(Matrix jll) {
    int classes = jll.columns();
    double[] out = new double[jll.values().length];
    for (int r = 0; r < jll.rows(); r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, jll.get(r, c));
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(jll.get(r, c) - max);
      }
      double logTotal = Math.log(sum) + max;
      for (int c = 0; c < classes; c++) {
        out[r * classes + c] = Math.exp(jll.get(r, c) - logTotal);
      }
    }
    return new Matrix(jll.rows(), classes, out);
  }
}
