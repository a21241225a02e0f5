package io.quiver.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** Building request records and reading answers, for the Kafka tests. */
public final class KafkaRecords {
  private KafkaRecords() {}

  /** A record for the request topic; headers as name, value pairs. */
  public static ProducerRecord<byte[], byte[]> record(String key, String value, String... headers) {
    List<Header> list = new ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) {
      list.add(new RecordHeader(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    return new ProducerRecord<>(
        KafkaTestResource.REQUESTS, null, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), list);
  }

  /** A v2 request for one row of a fixture's input. */
  public static String v2Row(Expected expected, int row, String id) {
    ObjectNode request = Expected.JSON.createObjectNode().put("id", id);
    ObjectNode input = request.putArray("inputs").addObject();
    input.put("name", "input-0").put("datatype", "FP32").putArray("shape").add(1).add(4);
    input.set("data", expected.instances("input-0").get(row));
    return request.toString();
  }

  /** One row of a fixture's recorded output. */
  public static JsonNode rowOf(Expected expected, String output, int row) {
    JsonNode data = expected.output(output).get("data");
    int width = data.size() / 6;
    ArrayNode values = Expected.JSON.createArrayNode();
    for (int c = 0; c < width; c++) {
      values.add(data.get(row * width + c));
    }
    return values;
  }

  public static String keyOf(ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
  }

  public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
