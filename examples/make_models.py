#!/usr/bin/python3
"""Makes every model file Quiver ships, with the real libraries, and records what those libraries
computed on them so the tests can compare Quiver's answers against the library's own.

Run from the repository root with Debian's Python (apt-get install python3-sklearn python3-xgboost
python3-onnx python3-torch):

    /usr/bin/python3 examples/make_models.py [non_finite ...]   (names: only those models)

It writes
  examples/models/            the bundled example repository (iris classifiers: ONNX and XGBoost)
  src/test/resources/repository/   the test repository (more formats, datatypes, versions, a corrupt file)
  src/test/resources/expected/     inputs and the outputs the producing library computed for them
  src/test/resources/slow-repository/  a deliberately slow ONNX model for drain tests

The test suite needs no Python: the outputs of this script are committed.
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
import xgboost as xgb
from onnx import TensorProto, helper
from sklearn.datasets import load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples", "models")
TEST_REPO = os.path.join(ROOT, "src", "test", "resources", "repository")
SLOW_REPO = os.path.join(ROOT, "src", "test", "resources", "slow-repository")
EXPECTED = os.path.join(ROOT, "src", "test", "resources", "expected")

# Rows the KServe reference captures use, plus one of each class from the data set.
PROBE_ROWS = np.array(
    [
        [6.8, 2.8, 4.8, 1.4],
        [6.0, 3.4, 4.5, 1.6],
        [5.1, 3.5, 1.4, 0.2],
        [6.3, 3.3, 6.0, 2.5],
        [4.9, 3.0, 1.4, 0.2],
        [5.9, 3.0, 5.1, 1.8],
    ],
    dtype=np.float32,
)


def model_dir(*parts):
    path = os.path.join(*parts)
    os.makedirs(path, exist_ok=True)
    return path


def write_expected(name, inputs, outputs, producer):
    """inputs/outputs: name -> numpy array. Stored flat, row-major, with shape and datatype."""

    def describe(arrays):
        described = []
        for tensor_name, array in arrays.items():
            if array.dtype.kind in "OSU":
                data = [v.decode() if isinstance(v, bytes) else str(v) for v in array.reshape(-1)]
            else:
                data = array.reshape(-1).tolist()
            described.append(
                {"name": tensor_name, "datatype": DATATYPES[array.dtype.kind, array.dtype.itemsize],
                 "shape": list(array.shape), "data": data}
            )
        return described

    os.makedirs(EXPECTED, exist_ok=True)
    with open(os.path.join(EXPECTED, name + ".json"), "w") as f:
        json.dump({"producer": producer, "inputs": describe(inputs), "outputs": describe(outputs)}, f, indent=1)
        f.write("\n")


DATATYPES = {
    ("b", 1): "BOOL", ("u", 1): "UINT8", ("u", 2): "UINT16", ("u", 4): "UINT32", ("u", 8): "UINT64",
    ("i", 1): "INT8", ("i", 2): "INT16", ("i", 4): "INT32", ("i", 8): "INT64",
    ("f", 2): "FP16", ("f", 4): "FP32", ("f", 8): "FP64", ("O", 8): "BYTES",
}


# ---------------------------------------------------------------- iris ONNX (PyTorch -> ONNX)
class IrisNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))

    def forward(self, x):
        probabilities = torch.softmax(self.layers(x), dim=1)
        return torch.argmax(probabilities, dim=1), probabilities


def make_iris_onnx():
    torch.manual_seed(7)
    features, labels = load_iris(return_X_y=True)
    x = torch.tensor(features, dtype=torch.float32)
    y = torch.tensor(labels, dtype=torch.int64)
    net = IrisNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=0.05)
    for _ in range(300):
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(net.layers(x), y)
        loss.backward()
        optimiser.step()
    net.eval()
    path = os.path.join(model_dir(EXAMPLES, "iris-onnx"), "model.onnx")
    torch.onnx.export(
        net, torch.zeros(1, 4), path, opset_version=13,
        input_names=["input-0"], output_names=["label", "probabilities"],
        dynamic_axes={"input-0": {0: "batch"}, "label": {0: "batch"}, "probabilities": {0: "batch"}},
    )
    with torch.no_grad():
        label, probabilities = net(torch.from_numpy(PROBE_ROWS))
    write_expected("iris-onnx", {"input-0": PROBE_ROWS},
                   {"label": label.numpy(), "probabilities": probabilities.numpy()},
                   "torch " + torch.__version__)
    shutil.copytree(os.path.dirname(path), os.path.join(TEST_REPO, "iris-onnx"), dirs_exist_ok=True)


# ---------------------------------------------------------------- XGBoost
def train_xgboost(params, labels, rounds=10):
    features, _ = load_iris(return_X_y=True)
    return xgb.train(params, xgb.DMatrix(features.astype(np.float32), label=labels), num_boost_round=rounds)


def make_xgboost():
    _, labels = load_iris(return_X_y=True)
    softprob = train_xgboost({"objective": "multi:softprob", "num_class": 3, "max_depth": 3, "seed": 1}, labels)
    softprob.save_model(os.path.join(model_dir(EXAMPLES, "iris-xgboost"), "model.json"))
    probe = xgb.DMatrix(PROBE_ROWS)
    write_expected("iris-xgboost", {"input-0": PROBE_ROWS}, {"output-0": softprob.predict(probe)},
                   "xgboost " + xgb.__version__)
    shutil.copytree(os.path.join(EXAMPLES, "iris-xgboost"), os.path.join(TEST_REPO, "iris-xgboost"),
                    dirs_exist_ok=True)

    # One booster in all three formats, as versions 1..3 of one model: the highest is the default.
    formats = train_xgboost({"objective": "multi:softprob", "num_class": 3, "max_depth": 2, "seed": 3},
                            labels, rounds=5)
    formats.save_model(os.path.join(model_dir(TEST_REPO, "xgb-formats", "1"), "model.bst"))  # legacy binary
    formats.save_model(os.path.join(model_dir(TEST_REPO, "xgb-formats", "2"), "model.ubj"))
    formats.save_model(os.path.join(model_dir(TEST_REPO, "xgb-formats", "3"), "model.json"))
    write_expected("xgb-formats", {"input-0": PROBE_ROWS}, {"output-0": formats.predict(probe)},
                   "xgboost " + xgb.__version__)

    # Binary classification: Booster.predict returns one probability per row (a flat list).
    binary = train_xgboost({"objective": "binary:logistic", "max_depth": 2, "seed": 5},
                           (labels == 1).astype(np.float32))
    binary.save_model(os.path.join(model_dir(TEST_REPO, "xgb-binary"), "model.ubj"))
    write_expected("xgb-binary", {"input-0": PROBE_ROWS}, {"output-0": binary.predict(probe)},
                   "xgboost " + xgb.__version__)


# ---------------------------------------------------------------- ONNX graphs built with onnx.helper
def save_graph(path, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, os.path.basename(os.path.dirname(path)), inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def make_mixed_types():
    """Two inputs (FP32 and INT64), three outputs (FP32, INT64, BOOL); numpy computes the expectation."""
    path = os.path.join(model_dir(TEST_REPO, "mixed-types"), "model.onnx")
    nodes = [
        helper.make_node("Cast", ["counts"], ["counts_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x", "counts_f"], ["product"]),
        helper.make_node("Add", ["product", "half"], ["scaled"]),
        helper.make_node("ReduceSum", ["counts", "axis1"], ["count_sum"], keepdims=0),
        helper.make_node("Greater", ["x", "one"], ["is_big"]),
    ]
    initializers = [
        helper.make_tensor("half", TensorProto.FLOAT, [], [0.5]),
        helper.make_tensor("one", TensorProto.FLOAT, [], [1.0]),
        helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
    ]
    save_graph(path, nodes,
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3]),
                helper.make_tensor_value_info("counts", TensorProto.INT64, ["batch", 3])],
               [helper.make_tensor_value_info("scaled", TensorProto.FLOAT, ["batch", 3]),
                helper.make_tensor_value_info("count_sum", TensorProto.INT64, ["batch"]),
                helper.make_tensor_value_info("is_big", TensorProto.BOOL, ["batch", 3])],
               initializers)
    x = np.array([[0.25, 1.5, -2.0], [3.0, 0.5, 1.0]], dtype=np.float32)
    counts = np.array([[1, 2, 3], [-4, 5, 9000000000]], dtype=np.int64)
    write_expected("mixed-types", {"x": x, "counts": counts},
                   {"scaled": x * counts.astype(np.float32) + np.float32(0.5),
                    "count_sum": counts.sum(axis=1), "is_big": x > 1.0},
                   "numpy " + np.__version__)


# (ONNX element type, numpy dtype, operator, expected function, sample values)
ALL_TYPES = [
    ("fp16", TensorProto.FLOAT16, np.float16, "Neg", np.negative, [[0.5, -1.25], [65504.0, 0.0009765625]]),
    ("fp32", TensorProto.FLOAT, np.float32, "Neg", np.negative, [[1.5, -2.25], [3.4e38, 1.0e-7]]),
    ("fp64", TensorProto.DOUBLE, np.float64, "Neg", np.negative, [[1.5, -2.25], [1.0e300, 0.1]]),
    ("int8", TensorProto.INT8, np.int8, "Neg", np.negative, [[1, -2], [127, -127]]),
    ("int16", TensorProto.INT16, np.int16, "Identity", lambda a: a, [[1, -2], [32767, -32768]]),
    ("int32", TensorProto.INT32, np.int32, "Neg", np.negative, [[1, -2], [2147483647, -7]]),
    ("int64", TensorProto.INT64, np.int64, "Neg", np.negative, [[1, -2], [9007199254740993, -7]]),
    ("uint8", TensorProto.UINT8, np.uint8, "Identity", lambda a: a, [[0, 1], [128, 255]]),
    ("bool", TensorProto.BOOL, np.bool_, "Not", np.logical_not, [[True, False], [False, False]]),
    ("bytes", TensorProto.STRING, np.object_, "Identity", lambda a: a, [["alpha", ""], ["\u00e9t\u00e9", "z"]]),
]


def make_all_types():
    """One input and one output per datatype ONNX Runtime's Java API takes."""
    path = os.path.join(model_dir(TEST_REPO, "all-types"), "model.onnx")
    nodes, inputs, outputs, values, expected = [], [], [], {}, {}
    for name, onnx_type, dtype, op, fn, sample in ALL_TYPES:
        nodes.append(helper.make_node(op, ["in_" + name], ["out_" + name]))
        inputs.append(helper.make_tensor_value_info("in_" + name, onnx_type, ["batch", 2]))
        outputs.append(helper.make_tensor_value_info("out_" + name, onnx_type, ["batch", 2]))
        array = np.array(sample, dtype=dtype)
        values["in_" + name] = array
        expected["out_" + name] = fn(array)
    save_graph(path, nodes, inputs, outputs)
    write_expected("all-types", values, expected, "numpy " + np.__version__)


STEPS = 60


def make_slow():
    """An ONNX model that takes a couple of seconds per call: repeated 2048x1024 @ 1024x1024 products
    of weights the graph draws itself (RandomNormal), so the file stays tiny."""
    path = os.path.join(model_dir(SLOW_REPO, "slow"), "model.onnx")
    nodes = [
        helper.make_node("RandomNormal", [], ["weights"], shape=[1024, 1024], seed=1.0, scale=0.03),
        helper.make_node("Expand", ["x", "state_shape"], ["state0"]),
    ]
    for step in range(STEPS):
        nodes.append(helper.make_node("MatMul", ["state%d" % step, "weights"], ["mm%d" % step]))
        nodes.append(helper.make_node("Tanh", ["mm%d" % step], ["state%d" % (step + 1)]))
    nodes.append(helper.make_node("ReduceMean", ["state%d" % STEPS], ["y"], axes=[0, 1], keepdims=1))
    save_graph(path, nodes,
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])],
               [helper.make_tensor("state_shape", TensorProto.INT64, [2], [2048, 1024])])


def make_non_finite():
    """log(x) and 1/x in FP32 and FP64: outputs NaN and the infinities JSON cannot write."""
    path = os.path.join(model_dir(TEST_REPO, "non-finite"), "model.onnx")
    nodes = [
        helper.make_node("Log", ["x"], ["log"]),
        helper.make_node("Reciprocal", ["x"], ["reciprocal"]),
        helper.make_node("Cast", ["x"], ["x64"], to=TensorProto.DOUBLE),
        helper.make_node("Log", ["x64"], ["log64"]),
    ]
    save_graph(path, nodes,
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
               [helper.make_tensor_value_info("log", TensorProto.FLOAT, ["batch", 4]),
                helper.make_tensor_value_info("reciprocal", TensorProto.FLOAT, ["batch", 4]),
                helper.make_tensor_value_info("log64", TensorProto.DOUBLE, ["batch", 4])])
    x = np.array([[1.0, 0.0, -1.0, np.inf], [np.nan, 2.0, -0.0, 0.5]], dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        write_expected("non-finite", {"x": x},
                       {"log": np.log(x), "reciprocal": np.reciprocal(x), "log64": np.log(x.astype(np.float64))},
                       "numpy " + np.__version__)


def make_broken():
    """Files that must fail their own model and nothing else."""
    with open(os.path.join(model_dir(TEST_REPO, "corrupt-onnx"), "model.onnx"), "wb") as f:
        f.write(b"this is not a protobuf \x00\x01\x02 model file")
    with open(os.path.join(model_dir(TEST_REPO, "corrupt-xgboost"), "model.json"), "w") as f:
        f.write('{"learner": {"attributes": {}, "gradient_booster": ')
    with open(os.path.join(model_dir(TEST_REPO, "unsupported"), "model.h5"), "wb") as f:
        f.write(b"\x89HDF\r\n\x1a\n")


# ---------------------------------------------------------------- XGBoost objectives and boosters
XGBOOST = os.path.join(ROOT, "src", "test", "resources", "xgboost")


def make_xgboost_objectives():
    """Boosters for Quiver's own tree evaluator: each objective's transform, missing values, a
    random forest; and a categorical and a dart booster, which it leaves to xgboost4j."""
    rng = np.random.default_rng(11)
    features = rng.normal(size=(400, 6)).astype(np.float32)
    features[rng.random(features.shape) < 0.15] = np.nan
    signal = np.nan_to_num(features[:, 0]) * 2 - np.nan_to_num(features[:, 1]) + np.nan_to_num(features[:, 2] ** 2)
    probe = rng.normal(size=(40, 6)).astype(np.float32)
    probe[rng.random(probe.shape) < 0.2] = np.nan
    probe[0, :] = np.nan
    boosters = {
        "regression-missing": ({"objective": "reg:squarederror", "max_depth": 4}, signal, 30),
        "poisson": ({"objective": "count:poisson", "max_depth": 3}, np.floor(np.exp(signal / 4)), 20),
        "logitraw": ({"objective": "binary:logitraw", "max_depth": 3}, (signal > 0).astype(np.float32), 20),
        "logistic-base-score": ({"objective": "binary:logistic", "max_depth": 3, "base_score": 0.3},
                                (signal > 1).astype(np.float32), 20),
        "random-forest": ({"objective": "reg:squarederror", "max_depth": 5, "num_parallel_tree": 4,
                           "subsample": 0.8, "colsample_bynode": 0.8, "learning_rate": 1.0}, signal, 1),
        "dart": ({"objective": "reg:squarederror", "booster": "dart", "max_depth": 3, "rate_drop": 0.1}, signal, 10),
    }
    for name, (params, labels, rounds) in boosters.items():
        booster = xgb.train(dict(params, seed=1), xgb.DMatrix(features, label=labels), num_boost_round=rounds)
        booster.save_model(os.path.join(model_dir(XGBOOST, name), "model.json"))
        write_expected("xgboost-" + name, {"input-0": probe}, {"output-0": booster.predict(xgb.DMatrix(probe))},
                       "xgboost " + xgb.__version__)

    import pandas as pd
    frame = pd.DataFrame({"colour": pd.Categorical(rng.integers(0, 4, size=400)), "size": features[:, 0]})
    labels = (frame["colour"].cat.codes.to_numpy() == 2).astype(np.float32) + np.nan_to_num(features[:, 0])
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "tree_method": "hist", "seed": 1},
                        xgb.DMatrix(frame, label=labels, enable_categorical=True), num_boost_round=10)
    booster.save_model(os.path.join(model_dir(XGBOOST, "categorical"), "model.json"))
    probe_frame = pd.DataFrame({"colour": pd.Categorical([0, 1, 2, 3, 2], categories=[0, 1, 2, 3]),
                                "size": np.array([0.5, -1.0, 0.0, 2.0, np.nan], dtype=np.float32)})
    write_expected("xgboost-categorical",
                   {"input-0": np.stack([probe_frame["colour"].cat.codes.to_numpy().astype(np.float32),
                                         probe_frame["size"].to_numpy()], axis=1)},
                   {"output-0": booster.predict(xgb.DMatrix(probe_frame, enable_categorical=True))},
                   "xgboost " + xgb.__version__)


# ---------------------------------------------------------------- a multilayer perceptron for the batching benchmark
BENCHMARK_MODELS = os.path.join(ROOT, "src", "test", "resources", "benchmark-models")


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(256, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
            torch.nn.Linear(1024, 10))

    def forward(self, x):
        return self.layers(x)


def make_mlp():
    """256 -> 1024 -> 1024 -> 10 with random weights: big enough that batching matters."""
    torch.manual_seed(3)
    net = Mlp().eval()
    path = os.path.join(model_dir(BENCHMARK_MODELS, "mlp"), "model.onnx")
    torch.onnx.export(net, torch.zeros(1, 256), path, opset_version=13, input_names=["input-0"],
                      output_names=["output-0"], dynamic_axes={"input-0": {0: "batch"}, "output-0": {0: "batch"}})
    x = torch.from_numpy(np.random.default_rng(5).normal(size=(4, 256)).astype(np.float32))
    with torch.no_grad():
        write_expected("mlp", {"input-0": x.numpy()}, {"output-0": net(x).numpy()}, "torch " + torch.__version__)


# ---------------------------------------------------------------- TorchScript in Triton's layout
TORCHSCRIPT = os.path.join(ROOT, "src", "test", "resources", "torchscript")


class TwoHeads(torch.nn.Module):
    """Two inputs, a tuple of two outputs: a score and class probabilities."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Linear(4, 8)
        self.context = torch.nn.Linear(2, 8)
        self.score = torch.nn.Linear(8, 1)
        self.classes = torch.nn.Linear(8, 3)

    def forward(self, x, context):
        hidden = torch.relu(self.features(x) + self.context(context))
        return self.score(hidden), torch.softmax(self.classes(hidden), dim=1)


class NamedHeads(TwoHeads):
    """The same heads, returned as a dict of tensors."""

    def forward(self, x, context):
        score, probabilities = super().forward(x, context)
        return {"score": score, "probabilities": probabilities}


def make_torchscript():
    """A traced two-input, two-output module, in a Triton model folder (config.pbtxt is the test's)."""
    torch.manual_seed(11)
    net = TwoHeads().eval()
    rng = np.random.default_rng(13)
    x = torch.from_numpy(rng.normal(size=(5, 4)).astype(np.float32))
    context = torch.from_numpy(rng.normal(size=(5, 2)).astype(np.float32))
    traced = torch.jit.trace(net, (x, context))
    traced.save(os.path.join(model_dir(TORCHSCRIPT, "two-heads", "1"), "model.pt"))
    with torch.no_grad():
        score, probabilities = traced(x, context)
    write_expected("torchscript-two-heads", {"INPUT__0": x.numpy(), "INPUT__1": context.numpy()},
                   {"OUTPUT__0": score.numpy(), "OUTPUT__1": probabilities.numpy()}, "torch " + torch.__version__)
    named = NamedHeads().eval()
    named.load_state_dict(net.state_dict())
    traced = torch.jit.trace(named, (x, context), strict=False)
    traced.save(os.path.join(model_dir(TORCHSCRIPT, "named-heads", "1"), "model.pt"))
    with torch.no_grad():
        outputs = traced(x, context)
    write_expected("torchscript-named-heads", {"INPUT__0": x.numpy(), "INPUT__1": context.numpy()},
                   {name: tensor.numpy() for name, tensor in outputs.items()}, "torch " + torch.__version__)


# ---------------------------------------------------------------- a transformer encoder for the encoder benchmark
class Encoder(torch.nn.Module):
    """4 layers, hidden size 256, 4 heads, sequence 128: a small BERT-shaped classifier."""

    def __init__(self, vocab=8192, hidden=256, layers=4, heads=4, ff=1024, sequence=128):
        super().__init__()
        self.tokens = torch.nn.Embedding(vocab, hidden)
        self.positions = torch.nn.Embedding(sequence, hidden)
        layer = torch.nn.TransformerEncoderLayer(hidden, heads, ff, batch_first=True, dropout=0.0)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.classifier = torch.nn.Linear(hidden, 2)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        hidden = self.encoder(self.tokens(input_ids) + self.positions(positions))
        return self.classifier(hidden[:, 0])


def make_encoder():
    """Too large to commit: written under target/benchmark-models for EncoderBenchmark."""
    torch.manual_seed(7)
    net = Encoder().eval()
    ids = torch.randint(0, 8192, (2, 128))
    out = os.path.join(ROOT, "target", "benchmark-models")
    # Gradients stay on: in inference mode the encoder takes a fused fast path ONNX cannot export.
    torch.onnx.export(net, ids, os.path.join(model_dir(out, "encoder-onnx"), "model.onnx"), opset_version=14,
                      input_names=["input_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch"}, "logits": {0: "batch"}})
    torch.jit.trace(net, ids, check_trace=False).save(os.path.join(model_dir(out, "encoder-torchscript", "1"), "model.pt"))


MAKERS = [make_iris_onnx, make_xgboost, make_xgboost_objectives, make_mixed_types, make_all_types, make_non_finite, make_slow, make_broken, make_mlp, make_torchscript, make_encoder]

if __name__ == "__main__":
    # With names (e.g. "non_finite"), only those models are remade; without, all of them.
    chosen = [maker for maker in MAKERS if maker.__name__[len("make_"):] in sys.argv[1:]] or MAKERS
    if chosen is MAKERS:
        for folder in (EXAMPLES, TEST_REPO, SLOW_REPO):
            shutil.rmtree(folder, ignore_errors=True)
    for maker in chosen:
        maker()
    print("models written under", os.path.relpath(EXAMPLES, ROOT), "and src/test/resources")
