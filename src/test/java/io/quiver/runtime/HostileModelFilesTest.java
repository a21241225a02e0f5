package io.quiver.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.runtime.pmml.PmmlModelRuntime;
import io.quiver.runtime.sklearn.SklearnModelRuntime;
import io.quiver.runtime.sklearn.pickle.PickleFiles;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile and broken model files (made by examples/make_hostile_models.py): each fails its own
 * load, quickly, saying why, and allocates no more than a small multiple of its size.
 */
class HostileModelFilesTest {
  private static final Path HOSTILE = Path.of("src/test/resources/hostile");
  private static final long ALLOWED_BYTES = 256L << 20;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "nested           | sklearn | nests objects more than 1000 levels deep",
        "self-pipeline    | sklearn | the model contains itself (a Pipeline is among its own parts)",
        "hash-bomb        | sklearn | a set as a dictionary key",
        "huge-bytes       | sklearn | declares 1099511627776 bytes",
        "huge-string      | sklearn | declares 2147483584 bytes of data but ends after",
        "huge-shape       | sklearn | declares the shape [1000000000000, 1000000000000]",
        "inst-system      | sklearn | os.system",
        "huge-pmml-array  | pmml    | The length of array must be 2000000000, got 3",
        "nul-in-pmml      | pmml    | not well-formed XML",
      })
  void failsItsLoadQuicklyAndWithinBoundedMemory(String fixture, String format, String reason) {
    ModelSource source = new ModelSource(fixture, null, HOSTILE.resolve(fixture), ModelSettings.NONE);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Throwable failure =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () -> {
              long before = threads.getCurrentThreadAllocatedBytes();
              Throwable thrown = null;
              try (LoadedModel model = load(format, source)) {
                assertFalse(true, fixture + " loaded: " + model.metadata());
              } catch (Throwable e) {
                thrown = e;
              }
              long allocated = threads.getCurrentThreadAllocatedBytes() - before;
              assertTrue(allocated < ALLOWED_BYTES, fixture + " allocated " + (allocated >> 20) + " MiB");
              return thrown;
            });
    String message = String.valueOf(failure.getMessage());
    assertTrue(message.contains(reason), fixture + ": " + failure);
  }

  private static LoadedModel load(String format, ModelSource source) throws Exception {
    return format.equals("pmml")
        ? new PmmlModelRuntime().load(source)
        : SklearnModelRuntime.load(PickleFiles.read(source.directory().resolve("model.pkl")), false);
  }
}
