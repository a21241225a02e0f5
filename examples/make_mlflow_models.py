#!/usr/bin/python3
"""Makes the MLflow fixtures: model folders laid out as MLflow 2.x's log_model writes them (an
MLmodel file with its flavors and signature, the environment files, the model file), with what the
library that made each model predicted. MLflow itself is not installable here, so the MLmodel files
are written to MLflow's format by this script.

Run from the repository root, after examples/make_models.py and the LightGBM fixtures (whose models
and recorded predictions the lightgbm and onnx folders reuse):

    /usr/bin/python3 examples/make_mlflow_models.py

It writes src/test/resources/mlflow/<case>/ and src/test/resources/expected/mlflow-<case>.json.
"""
import json
import os
import pickle
import shutil

import numpy as np
import sklearn
import xgboost
from sklearn import linear_model
from sklearn.datasets import load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESOURCES = os.path.join(ROOT, "src", "test", "resources")
MODELS = os.path.join(RESOURCES, "mlflow")
EXPECTED = os.path.join(RESOURCES, "expected")

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
IRIS_ROWS = IRIS_X[[0, 25, 50, 75, 100, 125, 140, 60]]

ENVIRONMENT = {
    "conda.yaml": "channels:\n- conda-forge\ndependencies:\n- python=3.11.2\n- pip\n- pip:\n  - mlflow==2.9.2\n",
    "python_env.yaml": "python: 3.11.2\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n",
    "requirements.txt": "mlflow==2.9.2\n",
}


def mlmodel(flavors, inputs=None, outputs=None):
    """An MLmodel file's text, in the key order MLflow writes."""
    lines = ["artifact_path: model", "flavors:"]
    for flavor in sorted(flavors):
        lines.append("  %s:" % flavor)
        for key, value in sorted(flavors[flavor].items()):
            if isinstance(value, dict):
                lines.append("    %s:" % key)
                lines.extend("      %s: %s" % item for item in sorted(value.items()))
            else:
                lines.append("    %s: %s" % (key, value))
    lines.append("mlflow_version: 2.9.2")
    lines.append("model_uuid: 0f3c1c1e4f5a4c3f9b2d8d7e6a5b4c3d")
    if inputs is not None:
        lines.append("signature:")
        lines.append("  inputs: '%s'" % json.dumps(inputs))
        lines.append("  outputs: '%s'" % json.dumps(outputs))
        lines.append("  params: null")
    lines.append("utc_time_created: '2026-11-25 10:00:00.000000'")
    return "\n".join(lines) + "\n"


def pyfunc(loader, data_key, data):
    return {"env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}, "loader_module": loader,
            data_key: data, "python_version": "3.11.2"}


def folder(case, text):
    path = os.path.join(MODELS, case)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    with open(os.path.join(path, "MLmodel"), "w") as f:
        f.write(text)
    for name, content in ENVIRONMENT.items():
        with open(os.path.join(path, name), "w") as f:
            f.write(content)
    return path


def columns(names, kind):
    return [{"type": kind, "name": name, "required": True} for name in names]


def column_tensors(names, rows):
    return [{"name": name, "datatype": "FP64", "shape": [len(rows)], "data": rows[:, i].tolist()}
            for i, name in enumerate(names)]


def expected(case, inputs, outputs, producer):
    with open(os.path.join(EXPECTED, "mlflow-" + case + ".json"), "w") as f:
        json.dump({"producer": producer, "inputs": inputs, "outputs": outputs}, f)
        f.write("\n")


def sklearn_model():
    model = linear_model.LogisticRegression(max_iter=1000).fit(IRIS_X, IRIS_Y)
    path = folder("sklearn", mlmodel(
        {"python_function": dict(pyfunc("mlflow.sklearn", "model_path", "model.pkl"), predict_fn="predict"),
         "sklearn": {"code": "null", "pickled_model": "model.pkl", "serialization_format": "pickle",
                     "sklearn_version": sklearn.__version__}},
        columns(IRIS_COLUMNS, "double"), [{"type": "long", "required": True}]))
    with open(os.path.join(path, "model.pkl"), "wb") as f:
        pickle.dump(model, f, protocol=4)
    labels = model.predict(IRIS_ROWS)
    expected("sklearn", column_tensors(IRIS_COLUMNS, IRIS_ROWS),
             [{"name": "output-0", "datatype": "INT64", "shape": [len(labels)], "data": labels.tolist()}],
             "scikit-learn " + sklearn.__version__)


def xgboost_model():
    booster = xgboost.train({"objective": "multi:softprob", "num_class": 3, "max_depth": 3, "seed": 0},
                            xgboost.DMatrix(IRIS_X, label=IRIS_Y), num_boost_round=10)
    path = folder("xgboost", mlmodel(
        {"python_function": pyfunc("mlflow.xgboost", "data", "model.xgb"),
         "xgboost": {"code": "null", "data": "model.xgb", "model_class": "xgboost.core.Booster",
                     "model_format": "xgb", "xgb_version": xgboost.__version__}},
        columns(IRIS_COLUMNS, "float"), [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]))
    booster.save_model(os.path.join(path, "model.xgb"))
    rows = IRIS_ROWS.astype(np.float32)
    probabilities = booster.predict(xgboost.DMatrix(rows))
    inputs = [{"name": name, "datatype": "FP32", "shape": [len(rows)], "data": rows[:, i].tolist()}
              for i, name in enumerate(IRIS_COLUMNS)]
    expected("xgboost", inputs,
             [{"name": "output-0", "datatype": "FP32", "shape": list(probabilities.shape),
               "data": probabilities.reshape(-1).tolist()}], "xgboost " + xgboost.__version__)


def lightgbm_model():
    """LightGBM's own regression fixture, logged as MLflow's lightgbm flavor."""
    path = folder("lightgbm", mlmodel(
        {"lightgbm": {"code": "null", "data": "model.lgb", "lgb_version": "4.3.0", "model_class": "lightgbm.basic.Booster"},
         "python_function": pyfunc("mlflow.lightgbm", "data", "model.lgb")},
        columns(["Column_0", "Column_1", "Column_2", "Column_3"], "double"), [{"type": "double", "required": True}]))
    shutil.copy(os.path.join(RESOURCES, "lightgbm", "regression", "model.txt"), os.path.join(path, "model.lgb"))
    with open(os.path.join(EXPECTED, "lightgbm-regression.json")) as f:
        recorded = json.load(f)
    rows = np.array(recorded["inputs"][0]["data"], dtype=np.float64).reshape(recorded["inputs"][0]["shape"])
    expected("lightgbm", column_tensors(["Column_0", "Column_1", "Column_2", "Column_3"], rows),
             recorded["outputs"], recorded["producer"])


def onnx_model():
    """The ONNX iris classifier (exported by torch), logged as MLflow's onnx flavor."""
    path = folder("onnx", mlmodel(
        {"onnx": {"code": "null", "data": "model.onnx", "onnx_version": "1.13.0",
                  "providers": "['CPUExecutionProvider']"},
         "python_function": pyfunc("mlflow.onnx", "data", "model.onnx")},
        [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "input-0"}],
        [{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}, "name": "label"}]))
    shutil.copy(os.path.join(ROOT, "examples", "models", "iris-onnx", "model.onnx"), os.path.join(path, "model.onnx"))
    shutil.copy(os.path.join(EXPECTED, "iris-onnx.json"), os.path.join(EXPECTED, "mlflow-onnx.json"))


class CustomPythonModel:
    """Stands for a user's mlflow.pyfunc.PythonModel subclass: code only Python can run."""

    def predict(self, context, model_input):
        return model_input


def custom_pyfunc_model():
    path = folder("pyfunc-custom", mlmodel(
        {"python_function": {"cloudpickle_version": "3.0.0", "code": "null",
                             "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                             "loader_module": "mlflow.pyfunc.model", "python_model": "python_model.pkl",
                             "python_version": "3.11.2"}}))
    with open(os.path.join(path, "python_model.pkl"), "wb") as f:
        pickle.dump(CustomPythonModel(), f)


if __name__ == "__main__":
    os.makedirs(EXPECTED, exist_ok=True)
    sklearn_model()
    xgboost_model()
    lightgbm_model()
    onnx_model()
    custom_pyfunc_model()
    print("MLflow fixtures written under", os.path.relpath(MODELS, ROOT))
