#!/usr/bin/env python3
"""Where the time of a workbook run goes: reads `perf script` output (call graphs recorded with
`perf record -g`) and sorts every sample into one bucket by its stack, printing a table.

    perf record -g -o perf.data BINARY ARGS...
    perf script -i perf.data > perf.txt
    python3 scripts/bench_workbook_profile.py perf.txt [perf-floor.txt ...]

With more files (e.g. a profile of Benchmarks/xlsx_floor.c writing the same plan), prints them
side by side, each column headed by its file name. A sample's bucket is the first rule below that its stack (leaf first) matches:

  kernel, open/create   openat in the kernel: libxlsxwriter's temporary file per sheet (and
                        the workbook itself); ext4's inode allocation
  kernel, read/write    read, write, lseek, close, unlink, rename... system calls
  kernel, memory        page faults, mmap/munmap/brk, process start and exit
  deflate               zlib (libz) and minizip: compressing the package
  libxlsxwriter XML     libxlsxwriter's own code and the libc it calls; a libc stdio or
                        printf function whose stack is lost (libc and libxlsxwriter have no
                        frame pointers) counts here too: nothing else in either program uses stdio
  malloc/free           a libc allocator function whose caller is lost (C or Swift)
  formula text          bptrace: ExcelPrinter, StepFormulas (building formula strings)
  style lookups         bptrace: WorkbookStyles, XLSXWorkbook.format / lxwFormat, XLSXStyle hashing
  cell calls (Swift)    bptrace: XLSXWorkbook.write*, SheetCells.write (checks, C strings)
  sheet assembly        bptrace: the rest of WorkbookWriter / OverviewPlan / SheetCells
                        (labels, texts, collecting and sorting cells)
  training              bptrace: the engine (BPTrace module: TraceRunner, forward/backward)
  floor program         the C floor's own code (loading the plan)
  other                 start-up (dynamic loader), Swift runtime outside the above
"""
import re
import sys
from collections import Counter

BUCKETS = ["kernel, open/create", "kernel, read/write", "kernel, memory", "deflate", "libxlsxwriter XML",
           "malloc/free (C stack lost)", "formula text", "style lookups", "cell calls (Swift)", "sheet assembly", "training",
           "floor program", "other"]

SWIFT_RULES = [   # (bucket, patterns in a mangled Swift symbol), tried from the leaf up
    ("formula text", ("ExcelPrinter", "StepFormulas")),
    ("style lookups", ("WorkbookStyles", "lxwFormat", "XLSXStyle", "6format")),
    ("cell calls (Swift)", ("XLSXWorkbook", "SheetCells", "A1O")),
    ("sheet assembly", ("WorkbookWriter", "OverviewPlan", "DataSheet", "LossSpool", "16BPTraceRenderers")),
    ("training", ("7BPTrace",)),
]


def bucket(frames):
    """frames: [(symbol, dso)] leaf first."""
    syms = [s for s, _ in frames]
    dsos = [d for _, d in frames]
    if dsos and "kernel" in dsos[0]:
        text = " ".join(syms)
        if "openat" in text or "ext4_create" in text or "do_filp_open" in text and "sys_open" in text:
            return "kernel, open/create"
        if any(k in text for k in ("ksys_write", "ksys_read", "vfs_write", "vfs_read", "lseek", "sys_close",
                                   "unlink", "rename", "fsync", "sys_mkdir", "sys_rmdir", "getdents", "newfstat",
                                   "statx", "ftruncate", "sys_fcntl", "filp_close", "__fput")):
            return "kernel, read/write"
        return "kernel, memory"
    for s, d in frames:
        if "libz.so" in d or "libminizip" in d:
            return "deflate"
    for s, d in frames:
        if "libxlsxwriter" in d:
            return "libxlsxwriter XML"
    leaf, leaf_dso = frames[0] if frames else ("", "")
    attributed = any("bptrace" in d or "xlsx_floor" in d for _, d in frames[1:])
    if "libc.so" in leaf_dso and not attributed:
        if re.search(r"printf|_IO_|fputs|fputc|fwrite|fflush|fclose|fopen|hack_digit|__mpn_|_itoa|strchrnul", leaf):
            return "libxlsxwriter XML"
        if re.search(r"malloc|free|calloc|realloc|unlink_chunk|consolidate|tcache", leaf):
            return "malloc/free (C stack lost)"
    for s, d in frames:
        if "xlsx_floor" in d:
            return "floor program"
        for name, patterns in SWIFT_RULES:
            if any(p in s for p in patterns) and ("bptrace" in d or "BPTrace" in d):
                return name
    return "other"


def read(path):
    counts = Counter()
    frames = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if frames:
                    counts[bucket(frames)] += 1
                frames = []
                continue
            if not line.startswith(("\t", " ")):
                frames = []
                continue
            m = re.match(r"\s*[0-9a-f]+ (.*?) \((.*)\)$", line)
            if m:
                frames.append((m.group(1), m.group(2)))
    if frames:
        counts[bucket(frames)] += 1
    return counts


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    profiles = [read(p) for p in sys.argv[1:]]
    labels = [p.rsplit("/", 1)[-1].removesuffix(".txt") for p in sys.argv[1:]]
    print("| bucket |" + "".join(" %s | share |" % l for l in labels))
    print("|---" * (1 + 2 * len(labels)) + "|")
    totals = [sum(p.values()) for p in profiles]
    for b in BUCKETS:
        if not any(p[b] for p in profiles):
            continue
        print("| %s |" % b + "".join(" %d | %.1f %% |" % (p[b], 100 * p[b] / t) for p, t in zip(profiles, totals)))
    print("| total |" + "".join(" %d | 100 %% |" % t for t in totals))


if __name__ == "__main__":
    main()
