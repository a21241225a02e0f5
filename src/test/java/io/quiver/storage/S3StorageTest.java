package io.quiver.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import org.junit.jupiter.api.Test;

/** A model whose storage URI is s3://, fetched through the AWS SDK from a real S3-compatible server. */
@QuarkusTest
@QuarkusTestResource(value = S3MockServer.class, restrictToAnnotatedClass = true)
class S3StorageTest {
  @Test
  void anS3PrefixServesAsTheLocalModel() throws Exception {
    Reply loaded = StoredModels.loadFrom("s3-iris", "s3://models/iris");
    assertEquals(200, loaded.status(), loaded.text());
    Reply answer = Rest.post("/v2/models/s3-iris/infer", StoredModels.IRIS);
    assertEquals(200, answer.status(), answer.text());
    assertEquals(Rest.post("/v2/models/iris-onnx/infer", StoredModels.IRIS).json().get("outputs"), answer.json().get("outputs"));

    Reply empty = StoredModels.loadFrom("s3-empty", "s3://models/nothing-here");
    assertTrue(empty.status() >= 400, empty.text());
    assertTrue(empty.error().contains("holds no objects"), empty.text());
    Reply noBucket = StoredModels.loadFrom("s3-no-bucket", "s3://no-such-bucket/iris");
    assertTrue(noBucket.status() >= 400, noBucket.text());
    assertTrue(noBucket.error().contains("cannot download s3://no-such-bucket/iris"), noBucket.text());
    assertEquals(200, Rest.post("/v2/models/iris-onnx/infer", StoredModels.IRIS).status());
  }
}
