package io.quiver.storage;

import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;

/** Model folders whose settings name a storage URI, loaded through the repository API. */
final class StoredModels {
  static final String IRIS =
      "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  private StoredModels() {}

  static Reply loadFrom(String name, String uri) throws Exception {
    Path folder = TestRepository.root().resolve(name);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("model-settings.json"), "{\"storage_uri\": \"" + uri + "\"}");
    return Rest.post("/v2/repository/models/" + name + "/load", "");
  }
}
