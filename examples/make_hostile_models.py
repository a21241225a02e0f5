#!/usr/bin/python3
"""Makes the hostile and broken model files the fault tests load: each must fail its own load,
quickly, with a reason, without taking the server's memory or threads with it.

Run from the repository root with Debian's Python (apt-get install python3-sklearn):

    /usr/bin/python3 examples/make_hostile_models.py

It writes src/test/resources/hostile/<case>/<model file>. Every pickle is made with Python's own
pickle module; where a file must say something no real object would, the pickle's opcodes are
edited by hand, and each such edit says what it changes.
"""
import os
import pickle
import pickletools
import shutil
import struct

import numpy as np
from sklearn import linear_model, pipeline, preprocessing
from sklearn.datasets import load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTILE = os.path.join(ROOT, "src", "test", "resources", "hostile")
IRIS_X, IRIS_Y = load_iris(return_X_y=True)
PLACEHOLDER = "QUIVER_PLACEHOLDER"


def write(case, file_name, data):
    folder = os.path.join(HOSTILE, case)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, file_name), "wb") as f:
        f.write(data)


def model_with_placeholder(attribute="hostile_"):
    """A fitted model with one attribute that the edits below replace."""
    model = linear_model.LogisticRegression(max_iter=1000).fit(IRIS_X, IRIS_Y)
    setattr(model, attribute, PLACEHOLDER)
    data = pickle.dumps(model, protocol=4)
    encoded = b"\x8c" + bytes([len(PLACEHOLDER)]) + PLACEHOLDER.encode()  # SHORT_BINUNICODE
    assert data.count(encoded) == 1
    return data, encoded


def nested():
    """The coefficients nested 200,000 lists deep: EMPTY_LIST then APPEND, repeated."""
    depth = 200_000
    data, encoded = model_with_placeholder("coef_")
    deep = b"]" * depth + b"a" * (depth - 1)
    write("nested", "model.pkl", data.replace(encoded, deep))


def self_containing_pipeline():
    """A pipeline one of whose steps is the pipeline itself (pickle's memo makes the cycle)."""
    model = pipeline.Pipeline([("scale", preprocessing.StandardScaler()), ("classify", linear_model.LogisticRegression())])
    model.fit(IRIS_X, IRIS_Y)
    model.steps.insert(1, ("again", model))
    write("self-pipeline", "model.pkl", pickle.dumps(model, protocol=4))


def hash_bomb():
    """A dictionary whose 60,000 keys are frozensets {i, -i}: distinct for Python, but all with the
    same hash in a naive reading (a Java HashSet's hash is the sum of its elements' hashes), which
    makes every insertion scan every earlier key."""
    model = linear_model.LogisticRegression(max_iter=1000).fit(IRIS_X, IRIS_Y)
    model.hostile_ = {frozenset({i, -i}): i for i in range(1, 60_001)}
    write("hash-bomb", "model.pkl", pickle.dumps(model, protocol=4))


def huge_bytes():
    """An array whose BINBYTES8 opcode declares 2^40 bytes of data; the file holds 32."""
    model = linear_model.LogisticRegression(max_iter=1000).fit(IRIS_X, IRIS_Y)
    model.hostile_ = np.zeros(4)
    data = pickle.dumps(model, protocol=4)
    raw = b"C" + bytes([32]) + bytes(32)  # SHORT_BINBYTES of the 32 zero bytes
    assert data.count(raw) == 1
    write("huge-bytes", "model.pkl", data.replace(raw, b"\x8e" + struct.pack("<Q", 1 << 40) + bytes(32)))


def huge_string():
    """A BINUNICODE opcode declaring 2 GiB - 64 of text; the file holds 18 bytes."""
    data, encoded = model_with_placeholder()
    text = b"X" + struct.pack("<I", (1 << 31) - 64) + PLACEHOLDER.encode()
    write("huge-string", "model.pkl", data.replace(encoded, text))


def huge_shape():
    """An array whose shape claims 10^12 x 10^12 elements while its data holds 4 (the shape tuple
    is edited; numpy would refuse to build it)."""
    model = linear_model.LogisticRegression(max_iter=1000).fit(IRIS_X, IRIS_Y)
    model.hostile_ = np.array([1.0, 2.0, 3.0, 4.0]).reshape(2, 2)
    data = pickle.dumps(model, protocol=4)
    shape = b"K\x02K\x02\x86"  # BININT1 2, BININT1 2, TUPLE2
    assert data.count(shape) >= 1
    big = b"\x8a\x06" + (10**12).to_bytes(6, "little")  # LONG1 of 10^12
    write("huge-shape", "model.pkl", data.replace(shape, big + big + b"\x86", 1))


def inst_system():
    """Protocol 0's INST opcode naming os.system: the classic pickle exploit, without GLOBAL."""
    data = b"(S'echo pwned > /tmp/quiver-inst-exploit'\nios\nsystem\n."
    pickletools.dis(data, out=open(os.devnull, "w"))
    write("inst-system", "model.pkl", data)


def huge_pmml_array():
    """A PMML set predicate whose Array declares two billion entries and holds three."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">',
        '  <Header/>',
        '  <DataDictionary numberOfFields="2">',
        '    <DataField name="colour" optype="categorical" dataType="string"/>',
        '    <DataField name="y" optype="continuous" dataType="double"/>',
        '  </DataDictionary>',
        '  <TreeModel functionName="regression">',
        '    <MiningSchema><MiningField name="colour"/><MiningField name="y" usageType="target"/></MiningSchema>',
        '    <Node score="0"><True/>',
        '      <Node score="1"><SimpleSetPredicate field="colour" booleanOperator="isIn">',
        '        <Array n="2000000000" type="string">red green blue</Array></SimpleSetPredicate></Node>',
        '      <Node score="2"><True/></Node>',
        '    </Node>',
        '  </TreeModel>',
        '</PMML>',
    ]
    write("huge-pmml-array", "model.pmml", "\n".join(lines).encode())


def nul_in_pmml():
    """One NUL byte in place of an attribute's opening quote."""
    with open(os.path.join(ROOT, "src", "test", "resources", "pmml", "iris-tree", "model.pmml"), "rb") as f:
        document = f.read()
    quote = document.index(b'name="') + len(b"name=")
    write("nul-in-pmml", "model.pmml", document[:quote] + b"\x00" + document[quote + 1:])


if __name__ == "__main__":
    shutil.rmtree(HOSTILE, ignore_errors=True)
    for make in (nested, self_containing_pipeline, hash_bomb, huge_bytes, huge_string, huge_shape, inst_system,
                 huge_pmml_array, nul_in_pmml):
        make()
    print("hostile model files written under", os.path.relpath(HOSTILE, ROOT))
