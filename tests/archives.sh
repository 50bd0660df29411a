#!/bin/bash
# run-order: 60
# scripts/compare-report on archives of every shape it reads, built here with
# umoci and skopeo (no engine needed): one image of three layers (a static
# busybox with /bin/sh, a setuid and a setgid file, files deleted and
# replaced by a later layer's whiteouts) as an OCI layout with gzip layers,
# an OCI archive with gzip and with zstd layers (zstd read by
# python3-zstandard and by the zstd program), a docker-archive, and the same
# image in a multi-platform index with an attestation. Each must give the
# figures the unpacked root filesystem and the blobs give when counted with
# find, gzip and wc. Truncated, corrupt, inconsistent and unknown archives
# must each give one line "compare: NAME: why" and exit 1; render must never
# leave a half-written compare.json.
set -eu

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
t_init
need_cmd python3
for c in umoci skopeo zstd; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "missing command: $c (Debian package: $c; scripts/setup test installs it)" >&2
		exit 2
	}
done

CR=$T_ROOT/scripts/compare-report
HELLO_PREFIX="compare: "
D=$T_DIR/fx
mkdir -p "$D"

# --- the image, built with umoci --------------------------------------------
L=$D/layout
B=$D/bundle
{
	umoci init --layout "$L" &&
		umoci new --image "$L:img" &&
		umoci unpack --image "$L:img" "$B"
} >"$T_DIR/umoci.log" 2>&1 || {
	fail "umoci builds the fixture image" "$(tail -n 1 "$T_DIR/umoci.log")"
	t_finish
	exit 1
}
R=$B/rootfs
# Layer 1: a shell, setuid and setgid files, files to be removed later.
mkdir -p "$R/bin" "$R/usr/bin" "$R/tmp" "$R/opt/old" "$R/etc"
cp /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
printf 'su\n' >"$R/usr/bin/su" && chmod 4755 "$R/usr/bin/su"
printf 'wall\n' >"$R/usr/bin/wall" && chmod 2755 "$R/usr/bin/wall"
printf 'gone\n' >"$R/tmp/gone"
printf 'a\n' >"$R/opt/old/a"
printf 'b\n' >"$R/opt/old/b"
umoci repack --refresh-bundle --image "$L:img" "$B" >>"$T_DIR/umoci.log" 2>&1
# Layer 2: deletions (whiteouts) and a replaced directory.
rm "$R/tmp/gone"
rm -rf "$R/opt/old"
mkdir "$R/opt/old"
printf 'new\n' >"$R/opt/old/new"
umoci repack --refresh-bundle --image "$L:img" "$B" >>"$T_DIR/umoci.log" 2>&1
# Layer 3: a file and a symlink chain through a directory.
ln -s usr/bin "$R/ubin"
printf 'hello\n' >"$R/etc/motd"
umoci repack --refresh-bundle --image "$L:img" "$B" >>"$T_DIR/umoci.log" 2>&1
umoci config --image "$L:img" --config.user 65532:65532 --os linux --architecture amd64 >>"$T_DIR/umoci.log" 2>&1
pass "umoci builds a three-layer image with whiteouts"

# What the unpacked root filesystem says, counted without compare-report.
want_files=$(find "$R" -mindepth 1 ! -type d | wc -l)
want_setuid=$(find "$R" -type f -perm /6000 | wc -l)
# The layer blobs of the manifest, as umoci stored them (gzip).
read -r want_layers want_plain want_stored < <(
	"$PYTHON" - "$L" <<'PY'
import json, subprocess, sys
L = sys.argv[1]
idx = json.load(open(f"{L}/index.json"))
m = [d for d in idx["manifests"] if d["annotations"]["org.opencontainers.image.ref.name"] == "img"][0]
man = json.load(open(f"{L}/blobs/sha256/{m['digest'][7:]}"))
plain = stored = 0
for layer in man["layers"]:
    path = f"{L}/blobs/sha256/{layer['digest'][7:]}"
    stored += layer["size"]
    plain += len(subprocess.run(["gzip", "-dc", path], capture_output=True, check=True).stdout)
print(len(man["layers"]), plain, stored)
PY
)
if [ "$want_files" -eq 7 ] && [ "$want_setuid" -eq 2 ] && [ "$want_layers" -eq 3 ]; then
	pass "fixture: 7 files, 2 setuid/setgid, 3 layers ($want_plain bytes of tar, $want_stored of gzip)"
else
	fail "fixture: 7 files, 2 setuid/setgid, 3 layers" "got $want_files files, $want_setuid setuid, $want_layers layers"
fi

# --- the same image in every shape ----------------------------------------
copy() { # SRC DEST [skopeo options]
	local src=$1 dst=$2
	shift 2
	skopeo copy -q "$@" "$src" "$dst" >>"$T_DIR/skopeo.log" 2>&1
}
copy "oci:$L:img" "docker-archive:$D/docker.tar:localhost/fx:img"
copy "oci:$L:img" "oci-archive:$D/oci-gzip.tar" --dest-compress-format gzip
copy "oci:$L:img" "oci-archive:$D/oci-zstd.tar" --dest-compress-format zstd
copy "oci:$L:img" "oci:$D/zstd-layout:img" --dest-compress-format zstd

# measured LABEL ARCHIVE FORMAT COMPRESSION [ENV...]: the figures of ARCHIVE
# equal what the root filesystem and the blobs say.
measured() {
	local label=$1 archive=$2 format=$3 comp=$4
	shift 4
	run env "$@" "$CR" measure --image "$label" "$archive"
	if [ "$T_RC" -ne 0 ]; then
		fail "$label: measure reads it" "exit $T_RC"
		return 0
	fi
	(
		"$PYTHON" - "$T_OUT" "$label" "$format" "$comp" "$want_files" "$want_setuid" \
			"$want_layers" "$want_plain" <<'PY'
import json, sys
out, label, fmt, comp = sys.argv[1:5]
files, setuid, layers, plain = map(int, sys.argv[5:9])
m = json.load(open(out))
def check(what, cond, got):
    print(f"PASS\t{label}: {what}" if cond else f"FAIL\t{label}: {what}\tgot {got!r}")
check(f"format {fmt}", m["archive_format"] == fmt, m["archive_format"])
check(f"layers stored as {comp}", m["layer_compression"] == comp, m["layer_compression"])
check(f"{files} files, whiteouts applied", m["files"] == files, m["files"])
check(f"{setuid} setuid/setgid files", m["setuid_files"] == setuid, m["setuid_files"])
check("/bin/sh found through its symlink", m["has_shell"] is True, m["has_shell"])
check("user 65532:65532", m["user"] == "65532:65532", m["user"])
check(f"{layers} layers", m["layers"] == layers, m["layers"])
check(f"layers_bytes {plain} (gzip -dc | wc -c)", m["layers_bytes"] == plain, m["layers_bytes"])
check("platform linux/amd64", m["platform"] == "linux/amd64", m["platform"])
if comp == "none":
    check("stored_bytes = layers_bytes", m["stored_bytes"] == m["layers_bytes"], m["stored_bytes"])
else:
    check("0 < stored_bytes < layers_bytes", 0 < m["stored_bytes"] < m["layers_bytes"], m["stored_bytes"])
check("0 < compressed_bytes < layers_bytes", 0 < m["compressed_bytes"] < m["layers_bytes"], m["compressed_bytes"])
PY
	) >"$T_DIR/checks"
	while IFS='	' read -r verdict what why; do
		if [ "$verdict" = PASS ]; then pass "$what"; else fail "$what" "$why"; fi
	done <"$T_DIR/checks"
	cp "$T_OUT" "$D/$label.json"
}
measured oci-layout-gzip "$L" oci-layout gzip
measured docker-archive "$D/docker.tar" docker-archive none
measured oci-archive-gzip "$D/oci-gzip.tar" oci-archive gzip
measured oci-archive-zstd "$D/oci-zstd.tar" oci-archive zstd COMPARE_ZSTD=module
measured oci-archive-zstd-program "$D/oci-zstd.tar" oci-archive zstd COMPARE_ZSTD=program
measured oci-layout-zstd "$D/zstd-layout" oci-layout zstd
# A gzip-compressed docker-archive (docker save | gzip) is read as well.
gzip -c "$D/docker.tar" >"$D/docker.tar.gz"
measured docker-archive-gz "$D/docker.tar.gz" docker-archive none
same_gzip=$("$PYTHON" -c '
import json, sys
print(len({json.load(open(p))["compressed_bytes"] for p in sys.argv[1:]}))' "$D"/*.json)
if [ "$same_gzip" = 1 ]; then
	pass "compressed_bytes (gzip -6 of each layer tar) is the same from every shape"
else
	fail "compressed_bytes is the same from every shape" "got $same_gzip different values"
fi

# --- a multi-platform index ---------------------------------------------------
# The same layers under an arm64 config, both in one nested index beside an
# attestation manifest, as BuildKit writes it.
M=$D/multi
cp -a "$L" "$M"
umoci config --image "$M:img" --architecture arm64 --tag arm >>"$T_DIR/umoci.log" 2>&1
"$PYTHON" - "$M" <<'PY'
import hashlib, json, sys
M = sys.argv[1]
idx = json.load(open(f"{M}/index.json"))
by = {d["annotations"]["org.opencontainers.image.ref.name"]: d for d in idx["manifests"]}
def put(doc):
    data = json.dumps(doc).encode()
    h = hashlib.sha256(data).hexdigest()
    open(f"{M}/blobs/sha256/{h}", "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
amd, arm = dict(by["img"]), dict(by["arm"])
amd["platform"] = {"os": "linux", "architecture": "amd64"}
arm["platform"] = {"os": "linux", "architecture": "arm64", "variant": "v8"}
for d in (amd, arm):
    d.pop("annotations")
att = dict(by["img"], annotations={"vnd.docker.reference.type": "attestation-manifest"},
           platform={"os": "unknown", "architecture": "unknown"})
nested = put({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
              "manifests": [att, amd, arm]})
json.dump({"schemaVersion": 2, "manifests": [dict(nested, mediaType="application/vnd.oci.image.index.v1+json")]},
          open(f"{M}/index.json", "w"))
PY
platform_of() { # LABEL WANT [--platform P]
	local label=$1 want=$2
	shift 2
	run "$CR" measure "$@" "$M"
	if [ "$T_RC" -eq 0 ] && [ "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["platform"])' "$T_OUT")" = "$want" ]; then
		pass "$label"
	else
		fail "$label" "expected platform $want, got exit $T_RC, $(head -c 200 "$T_OUT")"
	fi
}
platform_of "index: this machine's platform by default (linux/amd64)" linux/amd64
platform_of "index: --platform linux/arm64 measures the arm64 image" linux/arm64 --platform linux/arm64
platform_of "index: --platform linux/arm64/v8 is the same image" linux/arm64 --platform linux/arm64/v8
expect_exit "index: --platform linux/s390x -> one line naming the platforms there" 1 \
	"$CR" measure --image multi --platform linux/s390x "$M"
expect_grep "index: the line lists linux/amd64 and linux/arm64/v8" err 'no linux/s390x image.*linux/amd64, linux/arm64/v8'
expect_exit "docker-archive: --platform linux/arm64 on an amd64 image -> one line" 1 \
	"$CR" measure --image docker --platform linux/arm64 "$D/docker.tar"

# --- bad archives: one line, exit 1, no traceback ------------------------------
bad() { # LABEL REGEX ARCHIVE [ENV...]
	local label=$1 re=$2 archive=$3
	shift 3
	expect_exit "bad: $label -> exit 1, one line" 1 env "$@" "$CR" measure --image "bad:$label" "$archive"
	expect_grep "bad: $label: says why" err "^compare: bad:$label: .*$re"
}
head -c 300000 "$D/oci-gzip.tar" >"$D/trunc.tar"
bad "archive cut short" "truncated" "$D/trunc.tar"
printf 'not an image\n' >"$D/junk.tar"
bad "not a tar" "not a tar archive" "$D/junk.tar"
: >"$D/empty.tar"
bad "empty file" "empty file" "$D/empty.tar"
bad "no such file" "no such file" "$D/missing.tar"
mkdir -p "$D/emptydir"
bad "directory without an index" "not a saved image" "$D/emptydir"
# A layer blob cut short, and one with a byte changed, inside a layout.
biggest() { find "$1/blobs/sha256" -type f -printf '%s %p\n' | sort -n | tail -n 1 | cut -d' ' -f2; }
cp -a "$L" "$D/cut" && truncate -s 100000 "$(biggest "$D/cut")"
bad "gzip layer cut short" "layer [0-9] of 3: truncated" "$D/cut"
cp -a "$D/zstd-layout" "$D/zcut" && truncate -s 100000 "$(biggest "$D/zcut")"
bad "zstd layer cut short, python3-zstandard" "layer [0-9] of 3: (zstd|truncated)" "$D/zcut" COMPARE_ZSTD=module
bad "zstd layer cut short, zstd program" "layer [0-9] of 3: zstd" "$D/zcut" COMPARE_ZSTD=program
cp -a "$L" "$D/flip"
printf 'X' | dd of="$(biggest "$D/flip")" bs=1 seek=4000 conv=notrunc 2>/dev/null
bad "a byte changed in a gzip layer" "layer [0-9] of 3: " "$D/flip"
# A blob the manifest names but the archive lacks.
cp -a "$L" "$D/nolayer" && rm "$(biggest "$D/nolayer")"
bad "a missing layer blob" "is not in the archive" "$D/nolayer"
# Manifests that lie: a gzip layer said to be zstd, an unknown media type.
relabel() { # DIR FROM TO
	"$PYTHON" - "$@" <<'PY'
import hashlib, json, sys
D, old, new = sys.argv[1:4]
idx = json.load(open(f"{D}/index.json"))
for d in idx["manifests"]:
    path = f"{D}/blobs/sha256/{d['digest'][7:]}"
    data = open(path, "rb").read().replace(old.encode(), new.encode())
    h = hashlib.sha256(data).hexdigest()
    open(f"{D}/blobs/sha256/{h}", "wb").write(data)
    d["digest"], d["size"] = "sha256:" + h, len(data)
json.dump(idx, open(f"{D}/index.json", "w"))
PY
}
cp -a "$L" "$D/says-zstd" && relabel "$D/says-zstd" tar+gzip tar+zstd
bad "a gzip layer whose media type says zstd" "media type says zstd, its bytes are gzip" "$D/says-zstd"
cp -a "$L" "$D/says-bz2" && relabel "$D/says-bz2" tar+gzip tar+bzip2
bad "an unknown layer media type" "unknown media type" "$D/says-bz2"
# A docker-archive whose config lists one diff_id too few.
mkdir -p "$D/da" && tar -C "$D/da" -xf "$D/docker.tar"
"$PYTHON" - "$D/da" <<'PY'
import json, sys
D = sys.argv[1]
m = json.load(open(f"{D}/manifest.json"))[0]
c = json.load(open(f"{D}/{m['Config']}"))
c["rootfs"]["diff_ids"].pop()
json.dump(c, open(f"{D}/{m['Config']}", "w"))
PY
tar -C "$D/da" -cf "$D/diffids.tar" .
bad "config and layers disagree" "3 layers, but its config lists 2 diff_ids" "$D/diffids.tar"
# zstd layers with neither decoder.
mkdir -p "$T_DIR/nobin"
bad "zstd without a decoder" "install python3-zstandard or zstd" "$D/oci-zstd.tar" \
	COMPARE_ZSTD=program PATH="$T_DIR/nobin"
HELLO_PREFIX="compare-report: "
expect_exit "bad: --platform that is not os/arch -> exit 2, one line" 2 \
	"$CR" measure --platform arm64 "$D/docker.tar"
expect_exit "bad: an unknown subcommand -> exit 2, one line" 2 "$CR" weigh "$D/docker.tar"
HELLO_PREFIX="compare: "

# --- render writes whole files or none ------------------------------------------
out=$T_DIR/report
mkdir -p "$out"
printf 'fat\tlocalhost/fx:img\tfx\t1000\t1\t%s\n' "$D/docker-archive.json" >"$T_DIR/rows.tsv"
expect_exit "render writes the reports" 0 "$CR" render --engine podman --out "$out" "$T_DIR/rows.tsv"
before=$(sha256sum "$out/compare.json")
printf 'fat\tlocalhost/fx:img\tfx\t1000\t1\t%s\n' "$D/none.json" >"$T_DIR/rows-bad.tsv"
run "$CR" render --engine podman --out "$out" "$T_DIR/rows-bad.tsv"
if [ "$T_RC" -eq 1 ] && [ "$(stderr_lines)" -eq 1 ] && [ "$(sha256sum "$out/compare.json")" = "$before" ]; then
	pass "render with an unreadable measurement: exit 1, one line, compare.json untouched"
else
	fail "render with an unreadable measurement: exit 1, one line, compare.json untouched" "exit $T_RC"
fi
leftover=$(find "$out" -name '*.tmp*' | wc -l)
if [ "$leftover" -eq 0 ]; then pass "render leaves no temporary file"; else fail "render leaves no temporary file" "$leftover left"; fi

t_finish
