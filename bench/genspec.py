#!/usr/bin/env python3
"""Writes the mkimage.py spec of a benchmark image (see bench/README.md).

Every layer gets the same recipe, under its own paths:

  * Go binaries   GO_COPIES copies of the real amd64 Go fixtures
                  (bin/*, a few MB each), cycling through the flavours
  * Debian root   every file of work/debroot (libc6, libssl3, openssl:
                  ~280 ELF .so files incl. libcrypto.so.3, docs, symlinks);
                  layer 0 at the real paths, later layers under /opt/rtNN/
  * random data   RANDOM_FILES incompressible files (assets, archives)
  * text          Python standard-library sources of the python3 running
                  this script (real, compressible text), up to TEXT_BYTES

Each ELF copy and each text file gets a short unique tail/header, so no two
files in the image are identical (as in real images, where binaries differ).
The spec depends only on its inputs, so mkimage.py's own stamps make
rebuilding idempotent. Prints a summary (file/ELF counts) as JSON on stdout.
"""

import argparse
import json
import os
import sysconfig

GO_COPIES = 11
RANDOM_FILES = 4
RANDOM_BYTES = 4 << 20
TEXT_BYTES = 16 << 20
TAIL = 32  # random bytes appended to each ELF copy


def go_binaries(fixtures):
    with open(os.path.join(fixtures, "manifest.json")) as f:
        man = json.load(f)
    names = sorted(n for n, b in man["binaries"].items()
                   if b.get("build", {}).get("GOARCH") == "amd64"
                   and os.path.isfile(os.path.join(fixtures, b["path"])))
    if not names:
        raise SystemExit("no amd64 Go binaries in the fixtures manifest")
    return [(n, man["binaries"][n]["path"]) for n in names]


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def debroot_files(fixtures):
    """(relative path, kind, extra) for every file/symlink of work/debroot."""
    root = os.path.join(fixtures, "work", "debroot")
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in sorted(dirnames + filenames):
            host = os.path.join(dirpath, n)
            relp = os.path.relpath(host, root)
            if os.path.islink(host):
                out.append((relp, "symlink", os.readlink(host)))
            elif os.path.isfile(host):
                mode = "%04o" % (os.lstat(host).st_mode & 0o7777)
                out.append((relp, "elf" if is_elf(host) else "file", mode))
    if not any(k == "elf" for _, k, _ in out):
        raise SystemExit(f"no ELF files under {root}: run fixtures/build.sh")
    return out


def text_corpus():
    """Sorted stdlib .py files (no test suites), host paths."""
    stdlib = sysconfig.get_paths()["stdlib"]
    files = []
    for dirpath, dirnames, filenames in os.walk(stdlib):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in ("test", "tests", "idlelib", "site-packages", "dist-packages")
                             and not d.startswith("__pycache__"))
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            if n.endswith(".py") and os.path.isfile(p) and not os.path.islink(p):
                files.append(p)
    return stdlib, files


def layer_entries(layer, gos, deb, stdlib, texts, counts):
    e = []
    # Go binaries: a fresh service directory per copy.
    for i in range(GO_COPIES):
        name, src = gos[(layer + i) % len(gos)]
        e.append({"type": "file", "path": f"/opt/svc{layer:02d}-{i:02d}/bin/{name}", "mode": "0755",
                  "parts": [{"src": src}, {"random": TAIL, "seed": f"go-{layer}-{i}"}]})
        counts["files"] += 1
        counts["elf"] += 1
        counts["go"] += 1
    # The Debian runtime: real paths in layer 0, a private copy later on.
    prefix = "/" if layer == 0 else f"/opt/rt{layer:02d}/"
    for relp, kind, extra in deb:
        path = prefix + relp
        if kind == "symlink":
            e.append({"type": "symlink", "path": path, "target": extra})
            continue
        src = os.path.join("work", "debroot", relp)
        parts = [{"src": src}]
        if kind == "elf":
            parts.append({"random": TAIL, "seed": f"deb-{layer}-{relp}"})
            counts["elf"] += 1
        e.append({"type": "file", "path": path, "mode": extra, "parts": parts})
        counts["files"] += 1
    # Incompressible data.
    for k in range(RANDOM_FILES):
        e.append({"type": "file", "path": f"/srv/data{layer:02d}/blob{k}.bin",
                  "parts": [{"random": RANDOM_BYTES, "seed": f"rand-{layer}-{k}"}]})
        counts["files"] += 1
    # Compressible text: a rotating window over the stdlib sources.
    total, i = 0, 0
    start = (layer * 97) % len(texts)
    while total < TEXT_BYTES and i < len(texts):
        host = texts[(start + i) % len(texts)]
        i += 1
        relp = os.path.relpath(host, stdlib)
        size = os.path.getsize(host)
        e.append({"type": "file", "path": f"/opt/py{layer:02d}/lib/{relp}",
                  "parts": [{"text": f"# fipscan bench layer {layer}\n"}, {"src": host}]})
        total += size
        counts["files"] += 1
    if layer == 0:
        e.append({"type": "file", "path": "/etc/os-release",
                  "text": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
                          'VERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n'})
        counts["files"] += 1
    return e


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", required=True, help="fixtures output dir (target/fixtures)")
    ap.add_argument("--layers", type=int, required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", required=True, help="spec file to write (left alone if unchanged)")
    args = ap.parse_args()

    gos = go_binaries(args.fixtures)
    deb = debroot_files(args.fixtures)
    stdlib, texts = text_corpus()
    if not texts:
        raise SystemExit(f"no .py files under {stdlib}")
    counts = {"files": 0, "elf": 0, "go": 0}
    layers = [{"compression": "gzip", "comment": f"bench layer {i}",
               "entries": layer_entries(i, gos, deb, stdlib, texts, counts)}
              for i in range(args.layers)]
    spec = {
        "name": args.name,
        "description": f"fipscan benchmark image, {args.layers} gzip layers (bench/genspec.py)",
        "forms": ["oci"],
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Entrypoint": [layers[0]["entries"][0]["path"]]},
        "layers": layers,
    }
    text = json.dumps(spec, indent=1) + "\n"
    old = open(args.out).read() if os.path.exists(args.out) else None
    if old != text:
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, args.out)
    summary = dict(counts, layers=args.layers, go_binaries=[n for n, _ in gos],
                   debroot_files=sum(1 for _, k, _ in deb if k != "symlink"),
                   text_corpus=stdlib)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
