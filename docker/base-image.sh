#!/usr/bin/env bash
# Builds the base image of Quiver's Jib image (README: Container images) without a container
# engine or a registry: Debian 12 (debootstrap, minbase) with a Java 25 runtime made by jlink from
# the JDK that runs the build, written as a `docker save` archive that Jib reads as tar://.
# Usage: docker/base-image.sh OUTPUT.tar   (as root: debootstrap needs it; Debian's mirror reachable)
set -euo pipefail

output=$(realpath -m "$1")
java_home=${JAVA_HOME:?JAVA_HOME must name a JDK 25}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
fi
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* \
  "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/info

# The modules of Temurin's JRE that a server uses (no compiler, debugger or desktop tools).
"$java_home/bin/jlink" --output "$rootfs/opt/java/openjdk" \
  --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.charsets,jdk.localedata,jdk.zipfs,jdk.naming.dns,jdk.net,jdk.httpserver,jdk.management,jdk.management.jfr,jdk.jfr,jdk.jcmd,jdk.attach,jdk.security.auth,jdk.security.jgss \
  --strip-debug --no-man-pages --no-header-files --generate-cds-archive > /dev/null

# The server's user, 185 in group 0 as in Red Hat's Java images, and the folder it writes to.
echo 'quiver:x:185:0:Quiver:/deployments:/usr/sbin/nologin' >> "$rootfs/etc/passwd"
install -d -o 185 -g 0 -m 755 "$rootfs/deployments"
install -d -o 185 -g 0 -m 700 "$rootfs/deployments/cache"

archive=$work/archive
mkdir -p "$archive"
tar --sort=name --numeric-owner --mtime=@1 -C "$rootfs" -cf "$archive/layer.tar" .
diff_id=sha256:$(sha256sum "$archive/layer.tar" | cut -d' ' -f1)
cat > "$archive/config.json" <<EOF
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"],
           "Cmd":["java","-version"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created_by":"docker/base-image.sh: debootstrap bookworm minbase, jlink $("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.runtime.version = //p')"}]}
EOF
echo '[{"Config":"config.json","RepoTags":["quiver-base:bookworm-jre25"],"Layers":["layer.tar"]}]' > "$archive/manifest.json"
mkdir -p "$(dirname "$output")"
tar --sort=name --mtime=@1 -C "$archive" -cf "$output.partial" manifest.json config.json layer.tar
mv "$output.partial" "$output"
