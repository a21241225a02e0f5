package io.quiver.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image tarball as {@code docker save} and Jib's buildTar write it, read and run with no
 * container engine: its layers are unpacked in order into a root file system, and its entry point
 * runs there under {@code chroot}, in new mount and PID namespaces, as the image's user, with the
 * image's environment and working folder and a models folder mounted at /mnt/models. The network
 * is the host's, so the server's ports are reached on localhost. Needs root.
 */
public final class ContainerImage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path tarball;
  private final List<String> layers;
  /** The image's run configuration: the "config" object of its config JSON. */
  public final JsonNode config;

  private ContainerImage(Path tarball, List<String> layers, JsonNode config) {
    this.tarball = tarball;
    this.layers = layers;
    this.config = config;
  }

  public static ContainerImage read(Path tarball) {
    JsonNode manifest = readJson(tarball, "manifest.json").get(0);
    List<String> layers = new ArrayList<>();
    manifest.get("Layers").forEach(layer -> layers.add(layer.asText()));
    JsonNode config = readJson(tarball, manifest.get("Config").asText()).get("config");
    return new ContainerImage(tarball, List.copyOf(layers), config);
  }

  public List<String> layers() {
    return layers;
  }

  /** The image's environment variables, in order. */
  public Map<String, String> environment() {
    Map<String, String> environment = new LinkedHashMap<>();
    config.get("Env").forEach(variable -> {
      String[] pair = variable.asText().split("=", 2);
      environment.put(pair[0], pair[1]);
    });
    return environment;
  }

  /** Unpacks the layers, base first, into a new folder {@code root} (owners and modes kept). */
  public Path unpack(Path root) {
    try {
      Files.createDirectories(root);
      for (String layer : layers) {
        run("sh", "-c", "tar -xOf \"$0\" \"$1\" | tar -xzf - -C \"$2\"", tarball.toString(), layer, root.toString());
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the entry point in an unpacked root, with the image's environment overridden or extended
   * by {@code environment}.
   */
  public ServerProcess start(Path root, Path models, Map<String, String> environment) {
    List<String> command = new ArrayList<>(List.of(
        "unshare", "--mount", "--pid", "--fork", "--mount-proc=" + root.resolve("proc"),
        "sh", "-c",
        "r=$1 m=$2 u=$3 w=$4; shift 4; mkdir -p \"$r/mnt/models\""
            + " && mount --rbind /dev \"$r/dev\" && mount -o bind,ro \"$m\" \"$r/mnt/models\""
            + " && exec chroot --userspec=\"$u\" \"$r\" env --chdir=\"$w\" \"$@\"",
        "sh", root.toAbsolutePath().toString(), models.toAbsolutePath().toString(), userSpec(),
        config.path("WorkingDir").asText("/")));
    config.get("Entrypoint").forEach(part -> command.add(part.asText()));
    Map<String, String> variables = environment();
    variables.putAll(environment);
    return ServerProcess.launch(command, variables);
  }

  /** Docker's rule: a user without a group runs in group 0. */
  private String userSpec() {
    String user = config.path("User").asText("0");
    return user.contains(":") ? user : user + ":0";
  }

  private static JsonNode readJson(Path tarball, String entry) {
    try {
      return JSON.readTree(new ProcessBuilder("tar", "-xOf", tarball.toString(), entry).start().getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    try {
      if (process.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
