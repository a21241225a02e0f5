package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The native-image configuration (src/main/resources/META-INF/native-image) against the native
 * libraries it is for. GraalVM's tracing agent is not available to record it, so it is read off
 * the libraries themselves: every Java class a JNI library names (the FindClass strings in its
 * binary) must be registered for JNI, every library the server extracts at run time must be among
 * the image's resources, and what libraries find by reflection (PMML4S' Scala enumerations, which
 * look up their values' names reflectively; Jinjava's filters, tags, tests and functions) must be
 * registered for reflection. A library update that touches a new class fails here.
 */
class NativeImageConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG = "META-INF/native-image/io.quiver/quiver/";
  /** The JNI registrations in effect: ours, and those DJL's PyTorch jars bring. */
  private static final List<String> JNI_CONFIGS = List.of(
      "META-INF/native-image/io.quiver/quiver/jni-config.json",
      "META-INF/native-image/ai/djl/pytorch/pytorch-native/jni-config.json");
  /** The JNI libraries the runtimes load, where their jars keep them (linux x86_64). */
  private static final List<String> JNI_LIBRARIES = List.of(
      "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so",
      "lib/linux/x86_64/libxgboost4j.so",
      "native/lib/linux-x86_64/cpu/libtokenizers.so",
      "jnilib/linux-x86_64/cpu/libdjl_torch.so",
      "de/kherud/llama/Linux/x86_64/libjllama.so");
  /** Class names as JNI writes them; a Rust library's strings run together, so a name may have a tail. */
  private static final Pattern CLASS_NAME = Pattern.compile("(?:ai|ml|de|org|java)/(?:[a-z0-9_]+/)+[A-Z][A-Za-z0-9_$]*");

  @Test
  void everyClassTheJniLibrariesLookUpIsRegisteredForJni() throws Exception {
    Set<String> registered = new TreeSet<>();
    for (String config : JNI_CONFIGS) {
      registered.addAll(names(config));
    }
    Set<String> missing = new TreeSet<>();
    for (String library : JNI_LIBRARIES) {
      Set<String> named = classesNamedIn(library);
      assertTrue(!named.isEmpty(), library + " names no class: the scan is broken");
      named.stream().filter(name -> !registered.contains(name)).forEach(missing::add);
    }
    assertEquals(Set.of(), missing, "classes the JNI libraries look up but jni-config.json does not register");
  }

  @Test
  void everyScalaEnumerationOfPmml4sIsRegisteredForReflection() throws Exception {
    Path jar = Path.of(org.pmml4s.model.Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> enumerations = new TreeSet<>();
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
      zip.stream().map(java.util.zip.ZipEntry::getName).filter(name -> name.endsWith(".class")).forEach(entry -> {
        Class<?> type = load(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        if (type != null && scala.Enumeration.class.isAssignableFrom(type)) {
          enumerations.add(type.getName());
        }
      });
    }
    assertTrue(enumerations.size() > 10, "PMML4S has enumerations: the scan is broken");
    Set<String> missing = new TreeSet<>(enumerations);
    missing.removeAll(names(CONFIG + "reflect-config.json"));
    assertEquals(Set.of(), missing, "PMML4S enumerations reflect-config.json does not register");
  }

  @Test
  void everyFilterTagTestAndFunctionJinjavaMakesReflectivelyIsRegistered() throws Exception {
    com.hubspot.jinjava.interpret.Context context = new com.hubspot.jinjava.Jinjava().getGlobalContext();
    Set<String> made = new TreeSet<>();
    context.getAllFilters().forEach(filter -> made.add(filter.getClass().getName()));
    context.getAllTags().forEach(tag -> made.add(tag.getClass().getName()));
    context.getAllExpTests().forEach(test -> made.add(test.getClass().getName()));
    context.getAllFunctions().forEach(function -> made.add(function.getMethod().getDeclaringClass().getName()));
    Set<String> missing = new TreeSet<>(made);
    missing.removeAll(names(CONFIG + "reflect-config.json"));
    assertEquals(Set.of(), missing, "Jinjava classes reflect-config.json does not register");
  }

  @Test
  void everyRegisteredClassExists() throws Exception {
    for (String file : List.of("jni-config.json", "reflect-config.json")) {
      for (String name : names(CONFIG + file)) {
        assertNotNull(load(name), file + " names " + name + ", which is not on the class path");
      }
    }
  }

  @Test
  void everyNativeLibraryTheServerExtractsIsAResource() throws Exception {
    List<Pattern> patterns = new ArrayList<>();
    JSON.readTree(NativeImageConfigTest.class.getClassLoader().getResource(CONFIG + "resource-config.json")).at("/resources/includes")
        .forEach(include -> patterns.add(Pattern.compile(include.get("pattern").asText())));
    List<String> needed = new ArrayList<>(JNI_LIBRARIES);
    needed.addAll(List.of(
        "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
        "native/lib/tokenizers.properties",
        "pytorch/cpu/linux-x86_64/libtorch_cpu.so",
        "org/tensorflow/internal/c_api/linux-x86_64/libtensorflow_cc.so.2",
        "META-INF/maven/org.tensorflow/tensorflow-core-native/pom.properties"));
    for (String resource : needed) {
      assertTrue(patterns.stream().anyMatch(pattern -> pattern.matcher(resource).matches()), resource + " is not in resource-config.json");
    }
    for (Pattern pattern : patterns) {
      assertTrue(needed.stream().anyMatch(resource -> pattern.matcher(resource).matches()), pattern + " matches nothing the server loads");
    }
  }

  /** The classes whose names appear in a library's bytes and load here. */
  private static Set<String> classesNamedIn(String library) throws IOException {
    byte[] bytes;
    try (InputStream in = NativeImageConfigTest.class.getClassLoader().getResourceAsStream(library)) {
      assertNotNull(in, library + " is not on the class path");
      bytes = in.readAllBytes();
    }
    Set<String> classes = new TreeSet<>();
    Matcher matcher = CLASS_NAME.matcher(printable(bytes));
    while (matcher.find()) {
      String candidate = matcher.group().replace('/', '.');
      for (int end = candidate.length(); end > candidate.lastIndexOf('.') + 1; end--) {
        if (load(candidate.substring(0, end)) != null) {
          classes.add(candidate.substring(0, end));
          break;
        }
      }
    }
    return classes;
  }

  /** The bytes as text, every non-printable byte a line break (what {@code strings} sees). */
  private static String printable(byte[] bytes) {
    char[] text = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      text[i] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char) bytes[i] : '\n';
    }
    return new String(text);
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, NativeImageConfigTest.class.getClassLoader());
    } catch (ClassNotFoundException | NoClassDefFoundError | UnsatisfiedLinkError e) {
      return null;
    }
  }

  /** The class names a configuration file registers, read from the class path. */
  private static Set<String> names(String resource) throws IOException {
    Set<String> names = new TreeSet<>();
    JsonNode entries;
    try (InputStream in = NativeImageConfigTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, resource + " is not on the class path");
      entries = JSON.readTree(in);
    }
    for (JsonNode entry : entries) {
      names.add(entry.get("name").asText());
    }
    return names;
  }
}
