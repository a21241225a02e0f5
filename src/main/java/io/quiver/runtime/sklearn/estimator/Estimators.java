package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a fitted scikit-learn estimator from its unpickled form, by class name. Every supported
 * class has its case here; anything else fails the load naming the class.
 */
public final class Estimators {
  private Estimators() {}

  /** The estimator a pickle holds; fails naming the class when it is not one Quiver can run. */
  public static Estimator estimator(PyObject model) {
    return switch (model.simpleName()) {
      case "LinearRegression", "Ridge", "Lasso", "ElasticNet", "SGDRegressor", "LinearSVR" -> new LinearRegressor(model);
      case "LogisticRegression" -> new LinearClassifier(model, LinearClassifier.logistic(model));
      case "SGDClassifier" -> new LinearClassifier(model, LinearClassifier.sgd(model));
      case "LinearSVC" -> new LinearClassifier(model, LinearClassifier.Probabilities.NONE);
      case "DecisionTreeClassifier", "ExtraTreeClassifier" -> new TreeClassifier(model, List.of(tree(model)));
      case "RandomForestClassifier", "ExtraTreesClassifier" -> new TreeClassifier(model, forest(model));
      case "DecisionTreeRegressor", "ExtraTreeRegressor" -> new TreeRegressor(List.of(tree(model)));
      case "RandomForestRegressor", "ExtraTreesRegressor" -> new TreeRegressor(forest(model));
      case "GradientBoostingClassifier" -> GradientBoosting.classifier(model);
      case "GradientBoostingRegressor" -> GradientBoosting.regressor(model);
      case "HistGradientBoostingClassifier" -> HistGradientBoosting.classifier(model);
      case "HistGradientBoostingRegressor" -> HistGradientBoosting.regressor(model);
      case "GaussianNB" -> new GaussianNaiveBayes(model);
      case "KNeighborsClassifier" -> NearestNeighbors.classifier(model);
      case "KNeighborsRegressor" -> NearestNeighbors.regressor(model);
      case "MLPClassifier" -> Perceptron.classifier(model);
      case "MLPRegressor" -> Perceptron.regressor(model);
      case "SVC" -> SupportVectors.classifier(model);
      case "SVR" -> SupportVectors.regressor(model);
      case "IsolationForest" -> new IsolationForest(model);
      case "Pipeline" -> pipeline(model);
      default -> throw unsupported(model, "estimator");
    };
  }

  /** A pipeline step before the last. */
  static Transformer transformer(PyObject model) {
    return switch (model.simpleName()) {
      case "StandardScaler" -> Scaler.standard(model);
      case "RobustScaler" -> Scaler.robust(model);
      case "MaxAbsScaler" -> Scaler.maxAbs(model);
      case "MinMaxScaler" -> Scaler.minMax(model);
      case "Normalizer" -> new Normalizer(model);
      case "SimpleImputer" -> new SimpleImputer(model);
      case "OneHotEncoder" -> CategoryEncoder.oneHot(model);
      case "OrdinalEncoder" -> CategoryEncoder.ordinal(model);
      case "PolynomialFeatures" -> new PolynomialFeatures(model);
      case "PCA" -> new Pca(model);
      case "ColumnTransformer" -> new ColumnTransformer(model, Estimators::transformer);
      case "Pipeline" -> {
        List<Transformer> transformers = steps(model).stream().map(Estimators::transformer).toList();
        yield rows -> Pipeline.transform(transformers, rows);
      }
      default -> throw unsupported(model, "transformer");
    };
  }

  private static IllegalArgumentException unsupported(PyObject model, String role) {
    return new IllegalArgumentException(
        "the scikit-learn %s %s is not supported (the README lists those that are)"
            .formatted(role, model.className()));
  }

  private static DecisionTree tree(PyObject model) {
    return new DecisionTree(model.object("tree_"));
  }

  private static List<DecisionTree> forest(PyObject model) {
    List<DecisionTree> trees = new ArrayList<>();
    for (Object estimator : model.list("estimators_")) {
      trees.add(tree((PyObject) estimator));
    }
    return trees;
  }

  private static Estimator pipeline(PyObject model) {
    List<PyObject> steps = steps(model);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("the pipeline has no steps");
    }
    List<Transformer> transformers =
        steps.subList(0, steps.size() - 1).stream().map(Estimators::transformer).toList();
    return new Pipeline(transformers, estimator(steps.getLast()));
  }

  /** A pipeline's steps, leaving out those set to 'passthrough' or None. */
  static List<PyObject> steps(PyObject pipeline) {
    List<PyObject> steps = new ArrayList<>();
    for (Object step : pipeline.list("steps")) {
      Object estimator = ((Object[]) step)[1];
      if (estimator instanceof PyObject object) {
        steps.add(object);
      }
    }
    return steps;
  }
}
