#!/usr/bin/env python3
"""Times fipscan against the decompression floor on the benchmark images and
prints a table; writes every number (all repetitions) as JSON.

Each command runs as a child process reaped with os.wait4(), which returns
that child's own rusage: ru_maxrss is its peak RSS, ru_utime + ru_stime its
CPU time. Wall time is measured around spawn and reap. Repetitions are
interleaved (cat, gzip, zlib, fipscan j1, j2, half j1, then again) so a
slow phase of the machine hits every row alike; the median is reported.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

MiB = 1 << 20

# Design targets (see bench/README.md).
TARGET_J1 = 1.25       # fipscan --jobs 1 wall / gzip -dc wall
TARGET_JN = 1.00       # fipscan --jobs 2 wall / gzip -dc wall (must be below)
TARGET_RSS_MIB = 150   # peak RSS, any run
# Flat memory: going from the half-size to the full image may add at most
# this fraction of the added uncompressed bytes to peak RSS. Anything that
# buffers layers or files in proportion to their size adds ~100%; a per-file
# path index adds well under 1%. (glibc malloc alone moves these ~20 MiB
# peaks by a few MiB from run to run, so a ratio of the two RSS values would
# be noise.)
TARGET_FLAT = 0.05
# Scanning from a registry on this machine / scanning the OCI layout.
TARGET_REGISTRY = 1.2

ZLIB_FLOOR = r"""
import sys, zlib
buf = bytearray(1 << 20)
for path in sys.argv[1:]:
    with open(path, "rb", buffering=0) as f:
        d = zlib.decompressobj(31)
        while True:
            n = f.readinto(buf)
            if not n:
                break
            d.decompress(memoryview(buf)[:n])
        d.flush()
"""


def layer_blobs(layout):
    """Layer blob paths of an OCI layout's (single) image, in order."""
    def blob(digest):
        return os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    with open(blob(index["manifests"][0]["digest"])) as f:
        manifest = json.load(f)
    return [blob(l["digest"]) for l in manifest["layers"]]


def run(cmd, stdout=subprocess.DEVNULL, ok=(0,)):
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=stdout, stderr=errf)
        # wait4 reaps the child and returns its own rusage.
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = rc = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read().decode(errors="replace")[-4000:]
    if rc not in ok:
        sys.exit(f"bench: {' '.join(cmd[:3])} ... exited {rc}\n{err}")
    return {"wall_s": round(wall, 4), "cpu_s": round(ru.ru_utime + ru.ru_stime, 4),
            "user_s": round(ru.ru_utime, 4), "sys_s": round(ru.ru_stime, 4),
            "max_rss_kib": ru.ru_maxrss, "exit": rc}


def summarise(runs):
    return {"median_wall_s": statistics.median(r["wall_s"] for r in runs),
            "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "max_rss_kib": max(r["max_rss_kib"] for r in runs),
            "runs": runs}


def image_facts(report_path, layout, info):
    with open(report_path) as f:
        img = json.load(f)["images"][0]
    layers = img["layers"]
    bad = [l["id"] for l in layers if l["status"] != "ok"]
    if bad or img.get("incomplete"):
        sys.exit(f"bench: fipscan could not read every layer of {layout}: {bad}")
    blobs = layer_blobs(layout)
    return {
        "layout": layout,
        "layers": len(layers),
        "compressed_bytes": sum(os.path.getsize(b) for b in blobs),
        "uncompressed_bytes": sum(l["stats"]["uncompressed_bytes"] for l in layers),
        "tar_entries": sum(l["stats"]["entries"] for l in layers),
        "files": info["files"],
        "elf_files": info["elf"],
        "go_binaries": info["go"],
        "fipscan_verdict": img["verdict"],
        "fipscan_bytes_inspected": sum(l["stats"]["bytes_inspected"] for l in layers),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", required=True, help="OCI layout of the full image")
    ap.add_argument("--half", required=True, help="OCI layout of the half-size image")
    ap.add_argument("--full-info", required=True, help="genspec.py summary JSON (full)")
    ap.add_argument("--half-info", required=True, help="genspec.py summary JSON (half)")
    ap.add_argument("--fipscan", required=True)
    ap.add_argument("--jobs", type=int, default=2, help="the parallel run's --jobs")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--registry-full", help="reference of the full image in a local registry")
    ap.add_argument("--registry-half", help="reference of the half-size image there")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out", required=True, help="result JSON")
    args = ap.parse_args()

    full_blobs, half_blobs = layer_blobs(args.full), layer_blobs(args.half)
    report_full = os.path.join(args.workdir, "report-full.json")
    report_half = os.path.join(args.workdir, "report-half.json")

    def fipscan(layout, jobs, report, ref=None):
        with open(report, "wb") as out:
            return run([args.fipscan, "scan", ref or f"oci:{layout}", "--format", "json",
                        "--jobs", str(jobs), "--quiet"], stdout=out, ok=(0, 1))

    registry = bool(args.registry_full and args.registry_half)
    report_reg_full = os.path.join(args.workdir, "report-registry-full.json")
    report_reg_half = os.path.join(args.workdir, "report-registry-half.json")

    rows = {
        "cat": lambda: run(["cat", *full_blobs]),
        "gzip": lambda: run(["gzip", "-dc", *full_blobs]),
        "zlib": lambda: run([sys.executable, "-c", ZLIB_FLOOR, *full_blobs]),
        "fipscan_j1": lambda: fipscan(args.full, 1, report_full),
        f"fipscan_j{args.jobs}": lambda: fipscan(args.full, args.jobs, report_full),
        "half_fipscan_j1": lambda: fipscan(args.half, 1, report_half),
    }
    if registry:
        rows.update({
            "registry_j1": lambda: fipscan(args.full, 1, report_reg_full, args.registry_full),
            f"registry_j{args.jobs}": lambda: fipscan(args.full, args.jobs, report_reg_full,
                                                     args.registry_full),
            "half_registry_j1": lambda: fipscan(args.half, 1, report_reg_half, args.registry_half),
        })
    # Page cache warm-up: every blob both sides read, once, untimed.
    run(["cat", *full_blobs, *half_blobs])
    runs = {k: [] for k in rows}
    for rep in range(args.reps):
        for k, fn in rows.items():
            runs[k].append(fn())
        print(f"  rep {rep + 1}/{args.reps}: " + ", ".join(
            f"{k} {runs[k][-1]['wall_s']:.2f}s" for k in rows), file=sys.stderr, flush=True)
    res = {k: summarise(v) for k, v in runs.items()}

    with open(args.full_info) as f:
        full_info = json.load(f)
    with open(args.half_info) as f:
        half_info = json.load(f)
    full = image_facts(report_full, args.full, full_info)
    half = image_facts(report_half, args.half, half_info)

    jn = f"fipscan_j{args.jobs}"
    floor = res["gzip"]["median_wall_s"]
    ratio_j1 = res["fipscan_j1"]["median_wall_s"] / floor
    ratio_jn = res[jn]["median_wall_s"] / floor
    rss = {k: res[k]["max_rss_kib"] / 1024 for k in ("fipscan_j1", jn, "half_fipscan_j1")}
    rss_growth = rss["fipscan_j1"] - rss["half_fipscan_j1"]
    added = (full["uncompressed_bytes"] - half["uncompressed_bytes"]) / MiB
    flat = rss_growth / added if added > 0 else 0.0
    targets = {
        "jobs1_ratio_le_1.25": ratio_j1 <= TARGET_J1,
        f"jobs{args.jobs}_ratio_lt_1.0": ratio_jn < TARGET_JN,
        "peak_rss_lt_150MiB": max(rss.values()) < TARGET_RSS_MIB,
        "rss_growth_le_5pct_of_added_bytes": flat <= TARGET_FLAT,
    }

    unc = full["uncompressed_bytes"] / MiB
    print()
    print(f"image: {full['layers']} layers, {full['compressed_bytes'] / MiB:,.0f} MiB compressed, "
          f"{unc:,.0f} MiB uncompressed, {full['files']:,} files ({full['elf_files']:,} ELF, "
          f"{full['go_binaries']} of them Go)")
    print(f"{'':26}{'wall':>8}  {'vs gzip':>7}  {'MiB/s':>6}  {'cpu':>7}  {'peak RSS':>9}")

    def line(label, k, rss_col=False):
        r = res[k]
        w = r["median_wall_s"]
        rate = f"{unc / w:6.0f}" if k != "cat" else f"{'':6}"
        cols = f"{label:26}{w:7.2f}s  {w / floor:6.2f}x  {rate}  {r['median_cpu_s']:6.2f}s"
        if rss_col:
            cols += f"  {r['max_rss_kib'] / 1024:5.0f} MiB"
        print(cols)

    line("cat (page cache)", "cat")
    line("gzip -dc (floor, 1 core)", "gzip")
    line("zlib inflate (python3)", "zlib")
    line("fipscan --jobs 1", "fipscan_j1", True)
    line(f"fipscan --jobs {args.jobs}", jn, True)
    print(f"half-size image ({half['layers']} layers, {half['compressed_bytes'] / MiB:,.0f} MiB compressed, "
          f"{half['uncompressed_bytes'] / MiB:,.0f} MiB uncompressed): fipscan --jobs 1 "
          f"{res['half_fipscan_j1']['median_wall_s']:.2f}s, peak RSS {rss['half_fipscan_j1']:.0f} MiB "
          f"(full: {rss['fipscan_j1']:.0f} MiB)")
    print(f"peak RSS growth half -> full: {rss_growth:+.1f} MiB for {added:+,.0f} MiB uncompressed "
          f"({100 * flat:.1f}% of the added bytes) and {full['files'] - half['files']:+,} files")
    reg = None
    if registry:
        reg_full = image_facts(report_reg_full, args.full, full_info)
        image_facts(report_reg_half, args.half, half_info)
        if reg_full["fipscan_verdict"] != full["fipscan_verdict"]:
            sys.exit(f"bench: the registry scan says {reg_full['fipscan_verdict']}, "
                     f"the OCI layout scan {full['fipscan_verdict']}")
        rj = f"registry_j{args.jobs}"
        reg = {
            "vs_oci_j1": res["registry_j1"]["median_wall_s"] / res["fipscan_j1"]["median_wall_s"],
            f"vs_oci_j{args.jobs}": res[rj]["median_wall_s"] / res[jn]["median_wall_s"],
            "rss_full_mib": res["registry_j1"]["max_rss_kib"] / 1024,
            "rss_jn_mib": res[rj]["max_rss_kib"] / 1024,
            "rss_half_mib": res["half_registry_j1"]["max_rss_kib"] / 1024,
        }
        reg["rss_growth_mib"] = reg["rss_full_mib"] - reg["rss_half_mib"]
        reg["flat"] = reg["rss_growth_mib"] / added if added > 0 else 0.0
        print("from a registry on 127.0.0.1 (docker-registry, plain HTTP), same image, same run:")
        line("fipscan --jobs 1 registry", "registry_j1", True)
        line(f"fipscan --jobs {args.jobs} registry", rj, True)
        print(f"registry / OCI layout: --jobs 1 {reg['vs_oci_j1']:.2f}x, --jobs {args.jobs} "
              f"{reg[f'vs_oci_j{args.jobs}']:.2f}x (target <= {TARGET_REGISTRY}x)")
        print(f"registry peak RSS half -> full: {reg['rss_half_mib']:.0f} -> {reg['rss_full_mib']:.0f} MiB "
              f"({reg['rss_growth_mib']:+.1f} MiB for {added:+,.0f} MiB uncompressed, "
              f"{100 * reg['flat']:.1f}% of the added bytes)")
        targets.update({
            "registry_vs_oci_jobs1_le_1.2": reg["vs_oci_j1"] <= TARGET_REGISTRY,
            f"registry_vs_oci_jobs{args.jobs}_le_1.2": reg[f"vs_oci_j{args.jobs}"] <= TARGET_REGISTRY,
            "registry_peak_rss_lt_150MiB": max(reg["rss_full_mib"], reg["rss_jn_mib"],
                                               reg["rss_half_mib"]) < TARGET_RSS_MIB,
            "registry_rss_growth_le_5pct_of_added_bytes": reg["flat"] <= TARGET_FLAT,
        })
    print(f"medians of {args.reps} runs; MiB/s = uncompressed MiB / wall; cpu = user+sys; "
          f"verdict {full['fipscan_verdict']} (exit 1 is a verdict, not an error)")
    print("targets: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in targets.items()))

    result = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "python": platform.python_version(),
                    "gzip": subprocess.run(["gzip", "--version"], capture_output=True,
                                           text=True).stdout.splitlines()[0]},
        "fipscan": args.fipscan,
        "reps": args.reps,
        "image": full,
        "half_image": half,
        "measurements": res,
        "ratios": {"fipscan_j1_vs_gzip": round(ratio_j1, 4),
                   f"fipscan_j{args.jobs}_vs_gzip": round(ratio_jn, 4),
                   "fipscan_j1_vs_zlib": round(res["fipscan_j1"]["median_wall_s"]
                                               / res["zlib"]["median_wall_s"], 4),
                   "rss_growth_mib_full_vs_half": round(rss_growth, 2),
                   "rss_growth_per_added_uncompressed_byte": round(flat, 5)},
        "peak_rss_mib": {k: round(v, 1) for k, v in rss.items()},
        "registry": ({k: round(v, 4) for k, v in reg.items()}
                     | {"full": args.registry_full, "half": args.registry_half}) if reg else None,
        "targets": targets,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}")
    return 0 if all(targets.values()) else 3


if __name__ == "__main__":
    sys.exit(main())
