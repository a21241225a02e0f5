#!/bin/bash
# v2 REST infer on the example ONNX model against nginx answering the same response bytes from
# memory, alternately, with wrk at concurrency 64 on loopback; Quiver's own GET /v2/health/live too.
# Needs nginx, wrk and the built server; run from the repository root:
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 src/test/bench/nginx-comparison.sh
set -e
BODY='{"inputs":[{"name":"input-0","shape":[1,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4]}]}'
dir=$(mktemp -d)
printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n' "$BODY" > $dir/infer.lua
"${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java" -XX:+UseSerialGC -XX:MaxNewSize=32m -jar target/quarkus-app/quarkus-run.jar > $dir/server.log 2>&1 &
server=$!
until curl -sf localhost:8080/v2/health/ready > /dev/null; do sleep 0.5; done
curl -s -H 'Content-Type: application/json' -d "$BODY" localhost:8080/v2/models/iris-onnx/infer > $dir/response.json
cat > $dir/nginx.conf <<CONF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  server {
    listen 8090;
    location / { default_type application/json; return 200 '$(cat $dir/response.json)'; }
  }
}
CONF
nginx -c $dir/nginx.conf
rps() { wrk -t2 -c64 -d${SECONDS_PER_POINT:-8}s "$@" | awk '/Requests\/sec/ {print $2}'; }
rps -s $dir/infer.lua http://localhost:8080/v2/models/iris-onnx/infer > /dev/null  # JIT warm-up
rps -s $dir/infer.lua http://localhost:8080/v2/models/iris-onnx/infer > /dev/null
for round in 1 2 3; do
  quiver=$(rps -s $dir/infer.lua http://localhost:8080/v2/models/iris-onnx/infer)
  nginx=$(rps -s $dir/infer.lua http://localhost:8090/)
  live=$(rps http://localhost:8080/v2/health/live)
  echo "round $round: v2 infer $quiver, nginx $nginx, /v2/health/live $live; infer/nginx $(echo "scale=2; $quiver / $nginx" | bc), live/nginx $(echo "scale=2; $live / $nginx" | bc)"
done
nginx -c $dir/nginx.conf -s stop
kill $server; wait $server || true
