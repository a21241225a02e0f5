#!/usr/bin/python3
"""Makes the scikit-learn fixtures: one model per supported estimator, transformer and composition,
fitted by scikit-learn itself, saved as scikit-learn users save them, with what scikit-learn's own
predict (and predict_proba) answered for the test rows.

Run from the repository root with Debian's Python (apt-get install python3-sklearn python3-pandas
python3-lz4):

    /usr/bin/python3 examples/make_sklearn_models.py [protocols]

("protocols" only re-pickles the committed fixture models at protocols 2 to 5.)

It writes src/test/resources/sklearn/<case>/model.* and src/test/resources/expected/sklearn-<case>.json.
The test suite needs no Python.
"""
import copy
import json
import os
import pickle
import shutil
import sys

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn import compose, ensemble, impute, linear_model, naive_bayes, neighbors, neural_network
from sklearn import pipeline, preprocessing, svm, tree, decomposition
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "src", "test", "resources", "sklearn")
EXPECTED = os.path.join(ROOT, "src", "test", "resources", "expected")

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
DIABETES_X, DIABETES_Y = load_diabetes(return_X_y=True)
IRIS_ROWS = IRIS_X[[0, 25, 50, 75, 100, 125, 140, 60]] + np.array([0.05, -0.05, 0.0, 0.1])
DIABETES_ROWS = DIABETES_X[[0, 40, 80, 120, 160, 200, 240, 280]] * 1.1


def datatype(array):
    if array.dtype.kind in "OSU":
        return "BYTES"
    return {("b", 1): "BOOL", ("i", 8): "INT64", ("i", 4): "INT32", ("f", 8): "FP64", ("f", 4): "FP32"}[
        array.dtype.kind, array.dtype.itemsize]


def tensor(name, array):
    array = np.asarray(array)
    data = [str(v) for v in array.reshape(-1)] if array.dtype.kind in "OSU" else array.reshape(-1).tolist()
    return {"name": name, "datatype": datatype(array), "shape": list(array.shape), "data": data}


def save(case, model, rows, file_name="model.joblib", proba=True, inputs=None, write=None):
    """Saves the model (through write(path) when given) and what scikit-learn predicts for the rows."""
    folder = os.path.join(MODELS, case)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, file_name)
    if write is not None:
        write(path)
    elif file_name.endswith(".joblib"):
        joblib.dump(model, path)
    else:
        with open(path, "wb") as f:
            pickle.dump(model, f, protocol=4)
    outputs = [tensor("output-0", model.predict(rows))]
    if proba and hasattr(model, "predict_proba"):
        outputs.append(tensor("predict_proba", model.predict_proba(rows)))
    if inputs is None:
        inputs = [tensor("input-0", np.asarray(rows, dtype=np.float64))]
    with open(os.path.join(EXPECTED, "sklearn-" + case + ".json"), "w") as f:
        json.dump({"producer": "scikit-learn " + sklearn.__version__, "inputs": inputs, "outputs": outputs}, f)
        f.write("\n")


def classifiers():
    binary_y = (IRIS_Y == 1).astype(np.int64)
    save("logistic-binary", linear_model.LogisticRegression(max_iter=1000).fit(IRIS_X, binary_y), IRIS_ROWS)
    save("logistic-multinomial",
         linear_model.LogisticRegression(multi_class="multinomial", max_iter=1000).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("logistic-ovr",
         linear_model.LogisticRegression(multi_class="ovr", solver="liblinear").fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("sgd-classifier", linear_model.SGDClassifier(random_state=0).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("sgd-classifier-log", linear_model.SGDClassifier(loss="log_loss", random_state=0).fit(IRIS_X, IRIS_Y),
         IRIS_ROWS)
    save("sgd-classifier-modified-huber",
         linear_model.SGDClassifier(loss="modified_huber", random_state=0).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("linear-svc", svm.LinearSVC(random_state=0, max_iter=5000).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("decision-tree-classifier", tree.DecisionTreeClassifier(max_depth=4, random_state=0).fit(IRIS_X, IRIS_Y),
         IRIS_ROWS)
    save("random-forest-classifier",
         ensemble.RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("extra-trees-classifier",
         ensemble.ExtraTreesClassifier(n_estimators=10, max_depth=4, random_state=0).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("gradient-boosting-classifier",
         ensemble.GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(IRIS_X, IRIS_Y),
         IRIS_ROWS)
    save("gradient-boosting-binary",
         ensemble.GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(IRIS_X, binary_y),
         IRIS_ROWS)
    with_missing = IRIS_ROWS.copy()
    with_missing[1, 2] = np.nan
    with_missing[6, 0] = np.nan
    train = IRIS_X.copy()
    train[::7, 2] = np.nan
    save("hist-gradient-boosting-classifier",
         ensemble.HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(train, IRIS_Y), with_missing)
    save("gaussian-nb", naive_bayes.GaussianNB().fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("kneighbors-classifier", neighbors.KNeighborsClassifier(n_neighbors=5).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("kneighbors-classifier-distance",
         neighbors.KNeighborsClassifier(n_neighbors=7, weights="distance").fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("mlp-classifier",
         neural_network.MLPClassifier(hidden_layer_sizes=(8,), max_iter=2000, random_state=0).fit(IRIS_X, IRIS_Y),
         IRIS_ROWS)
    save("svc-rbf", svm.SVC(kernel="rbf").fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("svc-linear", svm.SVC(kernel="linear").fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("svc-poly", svm.SVC(kernel="poly", degree=3).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    save("svc-sigmoid", svm.SVC(kernel="sigmoid", gamma=0.01, coef0=0.5).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)[IRIS_Y]
    save("string-labels", linear_model.LogisticRegression(max_iter=1000).fit(IRIS_X, names), IRIS_ROWS)


def regressors():
    x, y, rows = DIABETES_X, DIABETES_Y, DIABETES_ROWS
    save("linear-regression", linear_model.LinearRegression().fit(x, y), rows)
    save("ridge", linear_model.Ridge(alpha=0.5).fit(x, y), rows)
    save("lasso", linear_model.Lasso(alpha=0.05).fit(x, y), rows)
    save("elastic-net", linear_model.ElasticNet(alpha=0.01, l1_ratio=0.3).fit(x, y), rows)
    save("sgd-regressor", linear_model.SGDRegressor(random_state=0).fit(x, y), rows)
    save("linear-svr", svm.LinearSVR(random_state=0, max_iter=10000).fit(x, y), rows)
    save("decision-tree-regressor", tree.DecisionTreeRegressor(max_depth=5, random_state=0).fit(x, y), rows)
    save("random-forest-regressor",
         ensemble.RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0).fit(x, y), rows)
    save("extra-trees-regressor",
         ensemble.ExtraTreesRegressor(n_estimators=10, max_depth=5, random_state=0).fit(x, y), rows)
    save("gradient-boosting-regressor",
         ensemble.GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(x, y), rows)
    with_missing = rows.copy()
    with_missing[2, 3] = np.nan
    save("hist-gradient-boosting-regressor",
         ensemble.HistGradientBoostingRegressor(max_iter=30, random_state=0).fit(x, y), with_missing)
    save("kneighbors-regressor", neighbors.KNeighborsRegressor(n_neighbors=5).fit(x, y), rows)
    save("kneighbors-regressor-manhattan", neighbors.KNeighborsRegressor(n_neighbors=4, p=1).fit(x, y), rows)
    save("mlp-regressor",
         neural_network.MLPRegressor(hidden_layer_sizes=(16,), max_iter=3000, random_state=0).fit(x, y / 100.0), rows)
    save("svr", svm.SVR(kernel="rbf", C=50.0).fit(x, y), rows)
    save("isolation-forest", ensemble.IsolationForest(n_estimators=20, random_state=0).fit(x), rows)


def pipelines():
    def logistic():
        return linear_model.LogisticRegression(max_iter=2000)

    for case, transformer in [
        ("standard-scaler", preprocessing.StandardScaler()),
        ("min-max-scaler", preprocessing.MinMaxScaler()),
        ("max-abs-scaler", preprocessing.MaxAbsScaler()),
        ("robust-scaler", preprocessing.RobustScaler()),
        ("normalizer", preprocessing.Normalizer()),
        ("polynomial-features", preprocessing.PolynomialFeatures(degree=2)),
        ("pca", decomposition.PCA(n_components=3, whiten=True)),
    ]:
        save("pipeline-" + case, pipeline.make_pipeline(transformer, logistic()).fit(IRIS_X, IRIS_Y), IRIS_ROWS)
    train = IRIS_X.copy()
    train[::5, 1] = np.nan
    rows = IRIS_ROWS.copy()
    rows[0, 1] = np.nan
    rows[3, 1] = np.nan
    save("pipeline-simple-imputer",
         pipeline.make_pipeline(impute.SimpleImputer(strategy="median"), logistic()).fit(train, IRIS_Y), rows)

    # Categorical columns: a colour (string) and a size (string) beside two numbers.
    rng = np.random.RandomState(0)
    colours = np.array(["red", "green", "blue"], dtype=object)[rng.randint(0, 3, 150)]
    sizes = np.array(["S", "M", "L"], dtype=object)[IRIS_Y]
    frame = pd.DataFrame({"sepal_length": IRIS_X[:, 0], "petal_length": IRIS_X[:, 2], "colour": colours, "size": sizes})
    test = frame.iloc[[0, 30, 60, 90, 120, 140]].copy()
    test.iloc[1, 2] = "purple"  # unseen by the encoder: ignored
    transformer = compose.ColumnTransformer([
        ("numbers", preprocessing.StandardScaler(), ["sepal_length", "petal_length"]),
        ("colour", preprocessing.OneHotEncoder(handle_unknown="ignore"), ["colour"]),
        ("size", preprocessing.OrdinalEncoder(), ["size"]),
    ])
    named = pipeline.make_pipeline(transformer, logistic()).fit(frame, IRIS_Y)
    save("column-transformer-named", named, test,
         inputs=[tensor(column, test[column].to_numpy()) for column in test.columns])
    # The same by position, on a plain object array, with the rest passed through.
    positional = compose.ColumnTransformer(
        [("colour", preprocessing.OneHotEncoder(handle_unknown="ignore"), [2]),
         ("size", preprocessing.OrdinalEncoder(), [3])],
        remainder="passthrough")
    objects = frame.to_numpy(dtype=object)
    model = pipeline.make_pipeline(positional, logistic()).fit(objects, IRIS_Y)
    rows = test.to_numpy(dtype=object)
    save("column-transformer-positional", model, rows, inputs=[tensor("input-0", rows)])


def benchmark_models():
    """The two models docs/benchmarks.md measures: a 100-tree forest and a four-step pipeline."""
    x, y = load_breast_cancer(return_X_y=True)
    rows = x[[0, 70, 140, 210, 280, 350, 420, 490]]
    save("benchmark-forest", ensemble.RandomForestClassifier(n_estimators=100, random_state=0).fit(x, y), rows)
    save("benchmark-pipeline",
         pipeline.make_pipeline(impute.SimpleImputer(), preprocessing.StandardScaler(),
                                decomposition.PCA(n_components=10, random_state=0),
                                linear_model.LogisticRegression(max_iter=1000)).fit(x, y), rows)


class LaterTreeLayout:
    """Pickles a fitted tree as scikit-learn 1.4 and later pickle one: each node gains the
    missing_go_to_left flag (1.3) in a 64-byte record, and classifier leaves hold class fractions
    instead of weighted counts (1.4). Only the layout changes, not the model, so scikit-learn
    1.2.1's predictions for the original stay the expected ones."""

    def __init__(self, tree, fractions):
        self.tree = tree
        self.fractions = fractions

    def __reduce__(self):
        cls, args, state = self.tree.__reduce__()
        old = state["nodes"]
        names = list(old.dtype.names) + ["missing_go_to_left"]
        formats = [old.dtype.fields[name][0] for name in old.dtype.names] + [np.uint8]
        nodes = np.zeros(old.shape, np.dtype({"names": names, "formats": formats,
                                              "offsets": [0, 8, 16, 24, 32, 40, 48, 56], "itemsize": 64}))
        for name in old.dtype.names:
            nodes[name] = old[name]
        values = state["values"]
        if self.fractions:
            values = values / values.sum(axis=2, keepdims=True)
        return cls, args, dict(state, nodes=nodes, values=values)


def release_variants():
    """Models as other releases pickle them, read by the same code paths as the 1.2.1 fixtures."""
    forest = ensemble.RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(IRIS_X, IRIS_Y)

    def numpy2(path):
        # numpy 2 moved numpy.core to numpy._core; protocol 2 names globals in plain text.
        data = pickle.dumps(forest, protocol=2)
        assert b"cnumpy.core.multiarray\n" in data
        with open(path, "wb") as f:
            f.write(data.replace(b"cnumpy.core.multiarray\n", b"cnumpy._core.multiarray\n"))

    save("numpy2-module-names", forest, IRIS_ROWS, file_name="model.pkl", write=numpy2)

    later = copy.deepcopy(forest)
    for estimator in later.estimators_:
        estimator.tree_ = LaterTreeLayout(estimator.tree_, fractions=True)
    save("tree-layout-1.4-classifier", forest, IRIS_ROWS, write=lambda path: joblib.dump(later, path))

    regressor = tree.DecisionTreeRegressor(max_depth=5, random_state=0).fit(DIABETES_X, DIABETES_Y)
    later = copy.deepcopy(regressor)
    later.tree_ = LaterTreeLayout(later.tree_, fractions=False)
    save("tree-layout-1.4-regressor", regressor, DIABETES_ROWS, write=lambda path: joblib.dump(later, path))


def serialisations():
    """One model in every way scikit-learn users save one."""
    model = linear_model.LogisticRegression(multi_class="multinomial", max_iter=1000).fit(IRIS_X, IRIS_Y)
    for protocol in (2, 4, 5):
        folder = os.path.join(MODELS, "pickle-protocol-%d" % protocol)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "model.pkl"), "wb") as f:
            pickle.dump(model, f, protocol=protocol)
    for case, compress in [("joblib-zlib", 3), ("joblib-gzip", ("gzip", 3)), ("joblib-bz2", ("bz2", 3)),
                           ("joblib-xz", ("xz", 3)),
                           ("joblib-lzma", ("lzma", 3)), ("joblib-lz4", ("lz4", 3))]:
        folder = os.path.join(MODELS, case)
        os.makedirs(folder, exist_ok=True)
        joblib.dump(model, os.path.join(folder, "model.joblib"), compress=compress)
    folder = os.path.join(MODELS, "pickle-extension")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.pickle"), "wb") as f:
        pickle.dump(model, f)
    save("serialisations", model, IRIS_ROWS, file_name="reference.joblib")


class Exploit:
    """A pickle that would run a shell command if unpickled by Python's pickle."""

    def __reduce__(self):
        return os.system, ("echo pwned > /tmp/quiver-pickle-exploit",)


def unsafe():
    folder = os.path.join(MODELS, "unsafe")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.pkl"), "wb") as f:
        pickle.dump({"model": Exploit()}, f, protocol=4)
    folder = os.path.join(MODELS, "unsupported-estimator")
    os.makedirs(folder, exist_ok=True)
    joblib.dump(svm.NuSVC().fit(IRIS_X, IRIS_Y), os.path.join(folder, "model.joblib"))


PROTOCOLS = os.path.join(ROOT, "src", "test", "resources", "sklearn-protocols")
# Fixtures pickled in other releases' layouts, or not models at all, have no protocol variants.
NOT_REPICKLED = {"benchmark-forest", "benchmark-pipeline", "numpy2-module-names", "tree-layout-1.4-classifier",
                 "tree-layout-1.4-regressor", "unsafe", "unsupported-estimator"}


def protocol_variants():
    """Every fixture model re-pickled by pickle.dump at protocols 2 to 5 (protocols 0-2 name
    globals in Python 2's spelling, as Python writes them with fix_imports)."""
    shutil.rmtree(PROTOCOLS, ignore_errors=True)
    for case in sorted(os.listdir(MODELS)):
        if case in NOT_REPICKLED or not os.path.exists(os.path.join(EXPECTED, "sklearn-" + case + ".json")):
            continue
        folder = os.path.join(MODELS, case)
        path = os.path.join(folder, sorted(os.listdir(folder))[0])
        model = joblib.load(path)
        os.makedirs(os.path.join(PROTOCOLS, case))
        for protocol in (2, 3, 4, 5):
            with open(os.path.join(PROTOCOLS, case, "protocol-%d.pkl" % protocol), "wb") as f:
                pickle.dump(model, f, protocol=protocol)


if __name__ == "__main__" and sys.argv[1:] == ["protocols"]:
    protocol_variants()
elif __name__ == "__main__":
    shutil.rmtree(MODELS, ignore_errors=True)
    os.makedirs(MODELS)
    os.makedirs(EXPECTED, exist_ok=True)
    classifiers()
    regressors()
    pipelines()
    benchmark_models()
    release_variants()
    serialisations()
    unsafe()
    protocol_variants()
    print("scikit-learn", sklearn.__version__, "fixtures written under", os.path.relpath(MODELS, ROOT))
