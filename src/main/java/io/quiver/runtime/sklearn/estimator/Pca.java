package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;

/** PCA: centred rows projected on {@code components_}, divided by the components' spread when whitened. */
final class Pca implements Transformer {
  private final double[] mean;
  private final double[][] components;
  private final double[] whitening;

  Pca(PyObject model) {
    this.mean = model.has("mean_") ? model.array("mean_").toDoubles() : null;
    this.components = model.array("components_").toMatrix();
    if (model.flag("whiten")) {
      whitening = model.array("explained_variance_").toDoubles();
      for (int i = 0; i < whitening.length; i++) {
        whitening[i] = Math.sqrt(whitening[i]);
      }
    } else {
      whitening = null;
    }
  }

  @Override
  public Table transform(Table rows) {
    Matrix x = rows.numeric();
    if (mean != null) {
      double[] centred = x.values().clone();
      for (int i = 0; i < centred.length; i++) {
        centred[i] -= mean[i % x.columns()];
      }
      x = new Matrix(x.rows(), x.columns(), centred);
    }
    Matrix projected = x.timesTransposed(components, new double[components.length]);
    if (whitening != null) {
      double[] v = projected.values();
      for (int i = 0; i < v.length; i++) {
        v[i] /= whitening[i % whitening.length];
      }
    }
    return Table.of(projected);
  }
}
