package io.quiver.runtime.sklearn.pickle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import net.razorvine.pickle.objects.ClassDict;

/**
 * Reads Python pickles (protocols 2 to 5) and joblib files without running any Python: only an
 * allow-list of classes is built, as inert data. scikit-learn and numpy.random classes become
 * {@link PyObject}s holding their attributes; numpy arrays become {@link NdArray}s; the few
 * builtins pickles use for containers are allowed. Any other class, {@code os.system} or
 * {@code builtins.eval} say, fails the load with an error naming it.
 */
public final class SafeUnpickler extends Unpickler {
  private static final String JOBLIB_ARRAY = "joblib.numpy_pickle.NumpyArrayWrapper";
  /**
   * Builtins that pickles use for plain data (by their Python 3 names), and the name of
   * razorvine's constructor for each.
   */
  private static final Map<String, String> DATA_BUILTINS =
      Map.of(
          "copyreg._reconstructor", "copy_reg._reconstructor",
          "_codecs.encode", "_codecs.encode",
          "builtins.set", "builtins.set",
          "builtins.frozenset", "builtins.set",
          "builtins.bytearray", "builtins.bytearray",
          // protocols 0-2 write an empty bytes object as a call of bytes()
          "builtins.bytes", "__builtin__.bytes");
  /**
   * Python writes protocol 0-2 pickles with Python 2's module names ({@code fix_imports}); its
   * unpickler maps them back ({@code _compat_pickle}). These are the mappings for the names a
   * model may contain.
   */
  private static final Map<String, String> PYTHON2_MODULES =
      Map.of("__builtin__", "builtins", "copy_reg", "copyreg");
  private static final Map<String, String> PYTHON2_NAMES =
      Map.of(
          "__builtin__.unicode", "builtins.str",
          "__builtin__.long", "builtins.int",
          "__builtin__.xrange", "builtins.range");
  private static final Set<String> NUMPY_TYPES =
      Set.of(
          "float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64", "uint32",
          "uint16", "uint8", "bool_", "object_", "str_", "bytes_");
  private static final Map<String, IObjectConstructor> NUMPY = numpyConstructors();

  private static Map<String, IObjectConstructor> numpyConstructors() {
    Map<String, IObjectConstructor> constructors = new HashMap<>();
    for (String core : new String[] {"numpy.core", "numpy._core"}) {
      constructors.put(core + ".multiarray._reconstruct", args -> new NdArray());
      constructors.put(core + ".multiarray.scalar", SafeUnpickler::scalar);
      constructors.put(core + ".numeric._frombuffer", SafeUnpickler::fromBuffer);
    }
    constructors.put("numpy.ndarray", args -> new NdArray());
    constructors.put("numpy.dtype", args -> new NumpyDType((String) args[0]));
    constructors.put(JOBLIB_ARRAY, args -> new ClassDict("joblib.numpy_pickle", "NumpyArrayWrapper"));
    constructors.put("builtins.object", args -> new ClassDict("builtins", "object"));
    constructors.put("builtins.slice", args -> new PyObject("builtins.slice", args));
    constructors.put("collections.OrderedDict", args -> new HashMap<>());
    // numpy's scalar types appear as values, e.g. an encoder's dtype parameter
    for (String type : NUMPY_TYPES) {
      constructors.put("numpy." + type, args -> new PyObject("numpy." + type, args));
    }
    return constructors;
  }

  /** A numpy scalar: {@code scalar(dtype, raw bytes)}. */
  private static Object scalar(Object[] args) {
    NumpyDType dtype = (NumpyDType) args[0];
    if (dtype.kind() == 'O') {
      return args[1];
    }
    byte[] raw = args[1] instanceof String latin1 ? latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1) : (byte[]) args[1];
    return NdArray.of(dtype, new int[0], false, raw).get(0);
  }

  /** Protocol 5's in-band arrays: {@code _frombuffer(buffer, dtype, shape, order)}. */
  private static Object fromBuffer(Object[] args) {
    return NdArray.of((NumpyDType) args[1], NdArray.ints((Object[]) args[2]), "F".equals(args[3]), (byte[]) args[0]);
  }

  @Override
  protected Object dispatch(short key) throws PickleException, IOException {
    switch (key) {
      case Opcodes.GLOBAL -> {
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        stack.add(resolve(module, name));
        return NO_RETURN_VALUE;
      }
      case Opcodes.STACK_GLOBAL -> {
        String name = (String) stack.pop();
        String module = (String) stack.pop();
        stack.add(resolve(module, name));
        return NO_RETURN_VALUE;
      }
      case Opcodes.INST -> {
        // protocol 0's "call module.name with the marked arguments", checked like a global
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        Object[] args = stack.pop_all_since_marker().toArray();
        stack.add(resolve(module, name).construct(args));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINBYTES, Opcodes.BYTEARRAY8, Opcodes.BINBYTES8 -> {
        stack.add(readDeclared(key == Opcodes.BINBYTES ? 4 : 8));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINUNICODE, Opcodes.BINUNICODE8 -> {
        stack.add(new String(readDeclared(key == Opcodes.BINUNICODE ? 4 : 8), StandardCharsets.UTF_8));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINSTRING -> {
        stack.add(PickleUtils.rawStringFromBytes(readDeclared(4)));
        return NO_RETURN_VALUE;
      }
      case Opcodes.LONG4 -> {
        stack.add(PickleUtils.decode_long(readDeclared(4)));
        return NO_RETURN_VALUE;
      }
      case Opcodes.SETITEM -> {
        Object value = stack.pop();
        Object dictKey = hashable(stack.pop());
        dict(stack.peek()).put(dictKey, value);
        return NO_RETURN_VALUE;
      }
      case Opcodes.SETITEMS, Opcodes.DICT -> {
        List<Object> items = stack.pop_all_since_marker();
        Map<Object, Object> dict = key == Opcodes.DICT ? new HashMap<>() : dict(stack.peek());
        for (int i = 0; i + 1 < items.size(); i += 2) {
          dict.put(hashable(items.get(i)), items.get(i + 1));
        }
        if (key == Opcodes.DICT) {
          stack.add(dict);
        }
        return NO_RETURN_VALUE;
      }
      case Opcodes.ADDITEMS, Opcodes.FROZENSET -> {
        List<Object> items = stack.pop_all_since_marker();
        Set<Object> set = key == Opcodes.FROZENSET ? new HashSet<>() : set(stack.peek());
        for (Object item : items) {
          set.add(hashable(item));
        }
        if (key == Opcodes.FROZENSET) {
          stack.add(set);
        }
        return NO_RETURN_VALUE;
      }
      default -> {
        Object result = super.dispatch(key);
        if (key == Opcodes.BUILD && stack.size() > 0 && stack.peek() instanceof ClassDict wrapper
            && JOBLIB_ARRAY.equals(wrapper.getClassName())) {
          stack.pop();
          stack.add(readJoblibArray(wrapper));
        }
        return result;
      }
    }
  }

  /**
   * The bytes an opcode announces, read as they arrive: a pickle that declares more than it holds
   * fails at its end without the declared size ever being allocated.
   */
  private byte[] readDeclared(int lengthBytes) throws IOException {
    byte[] length = PickleUtils.readbytes(input, lengthBytes);
    long declared =
        lengthBytes == 4
            ? Integer.toUnsignedLong(PickleUtils.bytes_to_integer(length))
            : PickleUtils.bytes_to_long(length, 0);
    if (declared < 0 || declared > Integer.MAX_VALUE - 8) {
      throw new PickleException(
          "the pickle declares %s bytes of data in one piece, more than a model may hold"
              .formatted(Long.toUnsignedString(declared)));
    }
    byte[] data = input.readNBytes((int) declared);
    if (data.length != declared) {
      throw new PickleException(
          "the pickle declares %d bytes of data but ends after %d".formatted(declared, data.length));
    }
    return data;
  }

  /**
   * A dictionary key or set element, which must be of a type whose hash cannot be made to collide
   * at will (text, numbers, bytes, tuples): a set or an object as a key, which no model needs,
   * would let a crafted pickle make every insertion scan all earlier keys.
   */
  private static Object hashable(Object key) {
    if (key == null || key instanceof String || key instanceof Number || key instanceof Boolean
        || key instanceof byte[] || key instanceof Object[]) {
      return key;
    }
    throw new PickleException(
        "the pickle uses a %s as a dictionary key or set element, which a model does not need; refusing it"
            .formatted(key instanceof Set<?> ? "a set" : key.getClass().getSimpleName()));
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> dict(Object target) {
    if (target instanceof Map<?, ?> map) {
      return (Map<Object, Object>) map;
    }
    throw new PickleException("the pickle sets items on something that is not a dictionary");
  }

  @SuppressWarnings("unchecked")
  private static Set<Object> set(Object target) {
    if (target instanceof Set<?> set) {
      return (Set<Object>) set;
    }
    throw new PickleException("the pickle adds items to something that is not a set");
  }

  private IObjectConstructor resolve(String pickledModule, String name) {
    String module = PYTHON2_MODULES.getOrDefault(pickledModule, pickledModule);
    String qualified = PYTHON2_NAMES.getOrDefault(pickledModule + "." + name, module + "." + name);
    IObjectConstructor numpy = NUMPY.get(qualified);
    if (numpy != null) {
      return numpy;
    }
    if (module.equals("sklearn") || module.startsWith("sklearn.") || module.startsWith("numpy.random")) {
      return args -> new PyObject(qualified, args);
    }
    if (DATA_BUILTINS.containsKey(qualified)) {
      return objectConstructors.get(DATA_BUILTINS.get(qualified));
    }
    throw new UnsafePickleException(
        "the pickle refers to %s, which is not among the classes a model may contain; refusing to load it (pickles can run code)"
            .formatted(qualified));
  }

  /**
   * joblib writes each array's bytes right after the wrapper object, outside the pickle stream:
   * a padding length, that many pad bytes (joblib 1.2+ aligns arrays), then the data.
   */
  private NdArray readJoblibArray(ClassDict wrapper) throws IOException {
    NumpyDType dtype = (NumpyDType) wrapper.get("dtype");
    int[] shape = NdArray.ints((Object[]) wrapper.get("shape"));
    boolean fortran = "F".equals(wrapper.get("order"));
    if (dtype.kind() == 'O') {
      // object arrays are pickled inline, right after the wrapper
      Object inline = new SafeUnpickler().loadNested(input);
      return (NdArray) inline;
    }
    if (wrapper.containsKey("numpy_array_alignment_bytes")) {
      int padding = input.read();
      input.readNBytes(padding);
    }
    long size = Math.multiplyExact(NdArray.elementCount(shape), dtype.itemSize());
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a joblib array of shape %s is too large".formatted(java.util.Arrays.toString(shape)));
    }
    // read as the bytes arrive: an array that declares more than the file holds fails at its end
    return NdArray.of(dtype, shape, fortran, input.readNBytes((int) size));
  }

  private Object loadNested(java.io.InputStream in) throws IOException {
    return load(in);
  }
}
