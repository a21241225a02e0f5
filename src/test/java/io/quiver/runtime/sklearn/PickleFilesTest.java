package io.quiver.runtime.sklearn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PickleFiles;
import io.quiver.runtime.sklearn.pickle.PyObject;
import io.quiver.runtime.sklearn.pickle.UnsafePickleException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Pickles and joblib files read without Python, in every way scikit-learn users write them. */
class PickleFilesTest {
  private static final Path FIXTURES = Path.of("src/test/resources/sklearn");

  @ParameterizedTest
  @ValueSource(strings = {
    "pickle-protocol-2/model.pkl", "pickle-protocol-4/model.pkl", "pickle-protocol-5/model.pkl",
    "pickle-extension/model.pickle", "joblib-zlib/model.joblib", "joblib-gzip/model.joblib", "joblib-bz2/model.joblib",
    "joblib-xz/model.joblib", "joblib-lzma/model.joblib", "joblib-lz4/model.joblib"})
  void everySerialisationGivesTheSameEstimator(String file) throws Exception {
    PyObject reference = (PyObject) PickleFiles.read(FIXTURES.resolve("serialisations/reference.joblib"));
    PyObject model = (PyObject) PickleFiles.read(FIXTURES.resolve(file));
    assertEquals("sklearn.linear_model._logistic.LogisticRegression", model.className());
    assertEquals("multinomial", model.string("multi_class"));
    assertArrayEquals(reference.array("coef_").toDoubles(), model.array("coef_").toDoubles());
    assertArrayEquals(new int[] {3, 4}, model.array("coef_").shape());
    assertArrayEquals(new long[] {0, 1, 2}, model.array("classes_").toLongs());
  }

  @Test
  void everyFixtureLoads() throws Exception {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(FIXTURES)) {
      files = walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("unsafe")).toList();
    }
    assertTrue(files.size() > 50);
    for (Path file : files) {
      assertInstanceOf(PyObject.class, PickleFiles.read(file), file.toString());
    }
  }

  @Test
  void structuredArraysKeepTheirFields() throws Exception {
    PyObject model = (PyObject) PickleFiles.read(FIXTURES.resolve("decision-tree-classifier/model.joblib"));
    PyObject tree = model.object("tree_");
    NdArray nodes = tree.array("nodes");
    long[] left = nodes.fieldLongs("left_child");
    double[] threshold = nodes.fieldDoubles("threshold");
    assertEquals(tree.integer("node_count"), left.length);
    assertEquals(-1, left[left.length - 1], "the last node is a leaf");
    assertFalse(Double.isNaN(threshold[0]));
    NdArray values = tree.array("values");
    assertArrayEquals(new int[] {left.length, 1, 3}, values.shape());
    assertEquals(150.0, values.getDouble(0) + values.getDouble(1) + values.getDouble(2), "the root holds every sample");
  }

  @Test
  void aPickleThatWouldRunCodeIsRefusedNamingTheClass() throws Exception {
    Path marker = Path.of("/tmp/quiver-pickle-exploit");
    Files.deleteIfExists(marker);
    UnsafePickleException error =
        assertThrows(UnsafePickleException.class, () -> PickleFiles.read(FIXTURES.resolve("unsafe/model.pkl")));
    assertTrue(error.getMessage().contains("posix.system"), error.getMessage());
    assertFalse(Files.exists(marker), "nothing was run");
  }
}
