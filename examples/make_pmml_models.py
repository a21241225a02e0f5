#!/usr/bin/python3
"""Makes the PMML fixtures: scikit-learn models fitted by scikit-learn, written out as PMML 4.4 by
hand from the PMML specification (no exporter is installable here), with what scikit-learn itself
predicted for the test rows. The PMML evaluator must reproduce scikit-learn's answers.

Run from the repository root with Debian's Python (apt-get install python3-sklearn):

    /usr/bin/python3 examples/make_pmml_models.py

It writes src/test/resources/pmml/<case>/model.pmml and src/test/resources/expected/pmml-<case>.json.
"""
import json
import os
from xml.sax.saxutils import quoteattr

import numpy as np
import sklearn
from sklearn import linear_model, preprocessing, pipeline, tree
from sklearn.datasets import load_diabetes, load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "src", "test", "resources", "pmml")
EXPECTED = os.path.join(ROOT, "src", "test", "resources", "expected")

IRIS = load_iris()
IRIS_FIELDS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
SPECIES = [str(name) for name in IRIS.target_names]
IRIS_ROWS = IRIS.data[[0, 25, 50, 75, 100, 125, 140, 60]]


def header(fields, target, target_values=None, target_type="string"):
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">',
             '  <Header description="Written from a model fitted by scikit-learn %s"/>' % sklearn.__version__,
             '  <DataDictionary numberOfFields="%d">' % (len(fields) + 1)]
    for name, kind in fields:
        if kind == "string":
            lines.append('    <DataField name=%s optype="categorical" dataType="string"/>' % quoteattr(name))
        else:
            lines.append('    <DataField name=%s optype="continuous" dataType="double"/>' % quoteattr(name))
    if target_values:
        lines.append('    <DataField name=%s optype="categorical" dataType="%s">' % (quoteattr(target), target_type))
        lines.extend('      <Value value=%s/>' % quoteattr(v) for v in target_values)
        lines.append('    </DataField>')
    else:
        lines.append('    <DataField name=%s optype="continuous" dataType="double"/>' % quoteattr(target))
    lines.append('  </DataDictionary>')
    return lines


def mining_schema(fields, target):
    lines = ['    <MiningSchema>']
    lines.extend('      <MiningField name=%s/>' % quoteattr(name) for name, _ in fields)
    lines.append('      <MiningField name=%s usageType="target"/>' % quoteattr(target))
    lines.append('    </MiningSchema>')
    return lines


def classification_output(target, classes):
    lines = ['    <Output>',
             '      <OutputField name="predicted_%s" optype="categorical" dataType="string" feature="predictedValue"/>'
             % target]
    lines.extend('      <OutputField name="probability_%s" optype="continuous" dataType="double" feature="probability" '
                 'value=%s/>' % (c, quoteattr(c)) for c in classes)
    lines.append('    </Output>')
    return lines


def tensor(name, array):
    array = np.asarray(array)
    if array.dtype.kind == "i":
        return {"name": name, "datatype": "INT64", "shape": list(array.shape),
                "data": array.astype(np.int64).reshape(-1).tolist()}
    if array.dtype.kind in "OSU":
        return {"name": name, "datatype": "BYTES", "shape": list(array.shape),
                "data": [str(v) for v in array.reshape(-1)]}
    return {"name": name, "datatype": "FP64", "shape": list(array.shape),
            "data": array.astype(np.float64).reshape(-1).tolist()}


def save(case, lines, inputs, outputs):
    folder = os.path.join(MODELS, case)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.pmml"), "w") as f:
        f.write("\n".join(lines + ["</PMML>", ""]))
    with open(os.path.join(EXPECTED, "pmml-" + case + ".json"), "w") as f:
        json.dump({"producer": "scikit-learn " + sklearn.__version__, "inputs": inputs, "outputs": outputs}, f)
        f.write("\n")


def tree_node(model, node, depth, lines, predicate):
    t = model.tree_
    counts = t.value[node][0]
    indent = "    " + "  " * depth
    score = SPECIES[int(np.argmax(counts))]
    lines.append('%s<Node id="%d" score=%s recordCount="%s">' % (indent, node, quoteattr(score), repr(float(counts.sum()))))
    lines.append(indent + "  " + predicate)
    for c, count in zip(SPECIES, counts):
        lines.append('%s  <ScoreDistribution value=%s recordCount="%s"/>' % (indent, quoteattr(c), repr(float(count))))
    if t.children_left[node] != -1:
        field = IRIS_FIELDS[t.feature[node]]
        threshold = repr(float(t.threshold[node]))
        tree_node(model, t.children_left[node], depth + 1, lines,
                  '<SimplePredicate field="%s" operator="lessOrEqual" value="%s"/>' % (field, threshold))
        tree_node(model, t.children_right[node], depth + 1, lines,
                  '<SimplePredicate field="%s" operator="greaterThan" value="%s"/>' % (field, threshold))
    lines.append(indent + "</Node>")


def iris_tree():
    model = tree.DecisionTreeClassifier(max_depth=3, random_state=0).fit(IRIS.data, IRIS.target)
    fields = [(name, "double") for name in IRIS_FIELDS]
    lines = header(fields, "species", SPECIES)
    lines.append('  <TreeModel modelName="iris-tree" functionName="classification" splitCharacteristic="binarySplit">')
    lines += mining_schema(fields, "species")
    lines += classification_output("species", SPECIES)
    tree_node(model, 0, 0, lines, "<True/>")
    lines.append('  </TreeModel>')
    proba = model.predict_proba(IRIS_ROWS)
    labels = np.array(SPECIES, dtype=object)[model.predict(IRIS_ROWS)]
    outputs = [tensor("species", labels), tensor("predicted_species", labels)]
    outputs += [tensor("probability_" + c, proba[:, i]) for i, c in enumerate(SPECIES)]
    save("iris-tree", lines, [tensor("input-0", IRIS_ROWS)], outputs)


def iris_logistic():
    model = linear_model.LogisticRegression(multi_class="multinomial", max_iter=1000).fit(IRIS.data, IRIS.target)
    fields = [(name, "double") for name in IRIS_FIELDS]
    lines = header(fields, "species", SPECIES)
    lines.append('  <RegressionModel modelName="iris-logistic" functionName="classification" '
                 'normalizationMethod="softmax">')
    lines += mining_schema(fields, "species")
    lines += classification_output("species", SPECIES)
    for c, coefficients, intercept in zip(SPECIES, model.coef_, model.intercept_):
        lines.append('    <RegressionTable intercept="%s" targetCategory=%s>' % (repr(float(intercept)), quoteattr(c)))
        lines.extend('      <NumericPredictor name="%s" coefficient="%s"/>' % (f, repr(float(w)))
                     for f, w in zip(IRIS_FIELDS, coefficients))
        lines.append('    </RegressionTable>')
    lines.append('  </RegressionModel>')
    proba = model.predict_proba(IRIS_ROWS)
    labels = np.array(SPECIES, dtype=object)[model.predict(IRIS_ROWS)]
    outputs = [tensor("species", labels), tensor("predicted_species", labels)]
    outputs += [tensor("probability_" + c, proba[:, i]) for i, c in enumerate(SPECIES)]
    save("iris-logistic", lines, [tensor("input-0", IRIS_ROWS)], outputs)


def diabetes_regression():
    x, y = load_diabetes(return_X_y=True)
    names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    model = linear_model.LinearRegression().fit(x, y)
    rows = x[[0, 40, 80, 120, 160, 200]]
    fields = [(name, "double") for name in names]
    lines = header(fields, "progression")
    lines.append('  <RegressionModel modelName="diabetes" functionName="regression">')
    lines += mining_schema(fields, "progression")
    lines += ['    <Output>',
              '      <OutputField name="predicted_progression" optype="continuous" dataType="double" '
              'feature="predictedValue"/>',
              '    </Output>']
    lines.append('    <RegressionTable intercept="%s">' % repr(float(model.intercept_)))
    lines.extend('      <NumericPredictor name="%s" coefficient="%s"/>' % (f, repr(float(w)))
                 for f, w in zip(names, model.coef_))
    lines.append('    </RegressionTable>')
    lines.append('  </RegressionModel>')
    save("diabetes-regression", lines, [tensor("input-0", rows)],
         [tensor("progression", model.predict(rows)), tensor("predicted_progression", model.predict(rows))])


def categorical_regression():
    """A text column one-hot encoded beside a number: PMML's CategoricalPredictor."""
    rng = np.random.RandomState(0)
    colours = np.array(["red", "green", "blue"], dtype=object)[rng.randint(0, 3, 100)]
    size = rng.uniform(1, 10, 100)
    y = size * 2.5 + np.where(colours == "red", 3.0, np.where(colours == "green", -1.0, 0.5)) + rng.normal(0, 0.1, 100)
    encoder = preprocessing.OneHotEncoder(sparse_output=False).fit(colours.reshape(-1, 1))
    features = np.hstack([encoder.transform(colours.reshape(-1, 1)), size.reshape(-1, 1)])
    model = linear_model.LinearRegression().fit(features, y)
    fields = [("colour", "string"), ("size", "double")]
    lines = header(fields, "price")
    lines.append('  <RegressionModel modelName="categorical" functionName="regression">')
    lines += mining_schema(fields, "price")
    lines += ['    <Output>',
              '      <OutputField name="predicted_price" optype="continuous" dataType="double" feature="predictedValue"/>',
              '    </Output>']
    lines.append('    <RegressionTable intercept="%s">' % repr(float(model.intercept_)))
    categories = [str(c) for c in encoder.categories_[0]]
    lines.extend('      <CategoricalPredictor name="colour" value=%s coefficient="%s"/>' % (quoteattr(c), repr(float(w)))
                 for c, w in zip(categories, model.coef_[:3]))
    lines.append('      <NumericPredictor name="size" coefficient="%s"/>' % repr(float(model.coef_[3])))
    lines.append('    </RegressionTable>')
    lines.append('  </RegressionModel>')
    test_colours = np.array(["red", "blue", "green", "red"], dtype=object)
    test_size = np.array([2.0, 5.5, 7.25, 9.0])
    test_features = np.hstack([encoder.transform(test_colours.reshape(-1, 1)), test_size.reshape(-1, 1)])
    rows = np.array([[c, str(s)] for c, s in zip(test_colours, test_size)], dtype=object)
    predicted = model.predict(test_features)
    save("categorical-regression", lines, [tensor("input-0", rows)],
         [tensor("price", predicted), tensor("predicted_price", predicted)])


def jpmml_fields(count):
    """JPMML-SkLearn names unnamed features x1, x2, ... and the label y."""
    return [("x%d" % (i + 1), "double") for i in range(count)]


def jpmml_logistic():
    """As JPMML-SkLearn exports a LogisticRegression on integer labels: target y (integer,
    categorical), an Output holding only probability(<class>) fields, no predicted value."""
    model = linear_model.LogisticRegression(multi_class="multinomial", max_iter=1000).fit(IRIS.data, IRIS.target)
    fields = jpmml_fields(4)
    classes = [str(c) for c in model.classes_]
    lines = header(fields, "y", classes, target_type="integer")
    lines.append('  <RegressionModel functionName="classification" normalizationMethod="softmax">')
    lines += mining_schema(fields, "y")
    lines.append('    <Output>')
    lines.extend('      <OutputField name="probability(%s)" optype="continuous" dataType="double" feature="probability" '
                 'value="%s"/>' % (c, c) for c in classes)
    lines.append('    </Output>')
    for c, coefficients, intercept in zip(classes, model.coef_, model.intercept_):
        lines.append('    <RegressionTable intercept="%s" targetCategory="%s">' % (repr(float(intercept)), c))
        lines.extend('      <NumericPredictor name="%s" coefficient="%s"/>' % (f, repr(float(w)))
                     for (f, _), w in zip(fields, coefficients))
        lines.append('    </RegressionTable>')
    lines.append('  </RegressionModel>')
    proba = model.predict_proba(IRIS_ROWS)
    outputs = [tensor("y", model.predict(IRIS_ROWS).astype(np.int64))]
    outputs += [tensor("probability(%s)" % c, proba[:, i]) for i, c in enumerate(classes)]
    save("jpmml-logistic", lines, [tensor("input-0", IRIS_ROWS)], outputs)


def jpmml_linear():
    """As JPMML-SkLearn exports a LinearRegression: target y, no Output element at all."""
    x, y = load_diabetes(return_X_y=True)
    model = linear_model.LinearRegression().fit(x, y)
    rows = x[[3, 43, 83, 123]]
    fields = jpmml_fields(x.shape[1])
    lines = header(fields, "y")
    lines.append('  <RegressionModel functionName="regression">')
    lines += mining_schema(fields, "y")
    lines.append('    <RegressionTable intercept="%s">' % repr(float(model.intercept_)))
    lines.extend('      <NumericPredictor name="%s" coefficient="%s"/>' % (f, repr(float(w)))
                 for (f, _), w in zip(fields, model.coef_))
    lines.append('    </RegressionTable>')
    lines.append('  </RegressionModel>')
    save("jpmml-linear", lines, [tensor("input-0", rows)], [tensor("y", model.predict(rows))])


if __name__ == "__main__":
    os.makedirs(MODELS, exist_ok=True)
    os.makedirs(EXPECTED, exist_ok=True)
    iris_tree()
    iris_logistic()
    diabetes_regression()
    categorical_regression()
    jpmml_logistic()
    jpmml_linear()
    print("PMML fixtures written under", os.path.relpath(MODELS, ROOT))
