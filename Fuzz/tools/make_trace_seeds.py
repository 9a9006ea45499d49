#!/usr/bin/env python3
"""Writes the hand-made seed corpus of the trace target, Fuzz/seeds/trace/ (committed; rerun
to regenerate). Each seed's first byte picks the preset the trace is read for
(FuzzEntry.trace: byte % number of presets); the rest is the CSV file.

Sources: bptrace's own CSV of some presets (2 steps, full precision and rounded with
--decimals 4), and the malformed traces of Tests/BPTraceTests/StudentTraceReaderTests.swift.
Usage: make_trace_seeds.py BPTRACE_BINARY
"""
import glob, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "Fuzz", "seeds", "trace")
binary = sys.argv[1]

presets = subprocess.run([binary, "presets"], capture_output=True, text=True, check=True).stdout
names = [l.split()[0] for l in presets.splitlines() if l.strip() and not l.startswith(" ") and l.split()[0][0].isalpha()]

os.makedirs(SEEDS, exist_ok=True)
for f in glob.glob(os.path.join(SEEDS, "*")):
    os.remove(f)


def put(name, preset, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(SEEDS, name), "wb") as f:
        f.write(bytes([names.index(preset)]) + data)


def run_csv(preset, extra):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([binary, "run", "--preset", preset, "--steps", "2", "--format", "csv", "--out", d] + extra,
                       check=True, capture_output=True)
        return open(glob.glob(os.path.join(d, "*.csv"))[0], "rb").read()


for p in ["mazur-2015", "xor", "xor-adam", "xor-momentum", "nndl-nonconvex"]:
    if p not in names:
        continue
    full = run_csv(p, [])
    # Keep seeds small (the fuzzer's max_len is 4096): the first 60 lines.
    put(f"{p}-full.csv", p, b"\n".join(full.split(b"\n")[:60]) + b"\n")
    put(f"{p}-decimals4.csv", p, b"\n".join(run_csv(p, ["--decimals", "4"]).split(b"\n")[:60]) + b"\n")

H = "step,layer,quantity,row,col,value\n"
bad_lines = {
    "text-in-number": "1,1,a,1,1,abc", "decimal-comma": '1,1,a,1,1,"0,5"', "nan": "1,1,a,1,1,nan",
    "hex": "1,1,a,1,1,0x1p3", "layer-outside": "1,3,a,1,1,0.5", "col-outside": "1,1,a,1,3,0.5",
    "row-beyond-batch": "1,1,a,2,1,0.5", "unknown-quantity": "1,1,foo,1,1,0.5", "err-at-output": "1,2,err,1,1,0.5",
    "a0": "1,0,a,1,1,0.5", "cost-without-l2": "1,2,cost,1,1,0.5", "state-without-optimizer": "1,1,vel_W,1,1,0.5",
    "step-0": "0,1,a,1,1,0.5", "huge-step": "99999999999999999999999,1,a,1,1,0.5", "step-int64-max": "9223372036854775807,1,a,1,1,0.5",
    "negative-int64": "-9223372036854775808,1,a,1,1,0.5", "fractional-step": "1.5,1,a,1,1,0.5", "short-line": "1,1,a,1,1",
    "long-line": "1,1,a,1,1,0.5,extra", "open-quote": '1,1,a,1,1,"0.5', "nul": "1,1,a,1,1,0.5\0junk",
    "escape": "1,1,a,1,1,0.\x1b[31m5", "bidi": "1,1,a,1,1,\u202e5.0", "blank-value": "1,1,a,1,1,",
    "duplicate": "1,1,a,1,2,0.5\n1,1,a,1,2,0.6", "typographic-minus": "1,1,a,1,1,\u22120.5",
    "many-problems": "1,1,a,1,1,x\n" * 120,
}
for name, line in bad_lines.items():
    put(f"bad-{name}.csv", "mazur-2015", H + line + "\n")
put("bad-long-value.csv", "mazur-2015", H + "1,1,a,1,1," + "7" * 3000 + "\n")
put("bad-very-long-line.csv", "mazur-2015", H + "1,1,a,1,1," + "9" * 17000 + "\n")
put("state-adam.csv", "xor-adam", H + "1,1,m_W,2,2,0.001\n1,2,v_hat_b,1,1,1e-06\n1,2,a,4,1,0.5\n1,2,a,5,1,0.5\n")
put("state-not-trained-bias.csv", "nndl-nonconvex", H + "1,1,b,1,1,0.5\n1,1,m_b,1,1,0.5\n")
put("any-order-crlf-bom.csv", "mazur-2015", "\ufeffvalue,quantity, col ,row,stage,layer,step,comment\r\n0.5,a,2,1,4,1,1,\"note, comma\"\r\n")
put("cr-only.csv", "mazur-2015", "step,layer,quantity,row,col,value\r1,1,a,1,1,0.5\r1,1,a,1,2,0.25")
header_cases = {
    "empty": "", "blank-lines": "\n\n", "no-value-column": "step,layer,quantity,row,col\n1,1,a,1,1\n",
    "capitals": "Step,Layer,Quantity,Row,Col,Value\n", "semicolons": "step;layer;quantity;row;col;value\n1;1;a;1;1;0.5\n",
    "json": '{"values": []}\n', "xlsx-magic": "PK\x03\x04\x14\x00\x06\x00", "duplicate-column": "step,layer,quantity,row,col,value,value\n",
    "open-quote-header": '"step,layer,quantity,row,col,value\n',
}
for name, text in header_cases.items():
    put(f"header-{name}.csv", "mazur-2015", text)
put("header-not-utf8.csv", "mazur-2015", b"s\xff\xfe\n")
put("header-utf16.csv", "mazur-2015", "step,layer,quantity,row,col,value\n".encode("utf-16"))

# Fixtures that name a trace, for the fixture target and the CLI sweep (BadCaseSweepTests runs
# `check` on each in a folder holding spec.json and data.csv). Run this after make_seeds.py,
# which rebuilds Fuzz/seeds/fixture/ without them.
FIXTURES = os.path.join(ROOT, "Fuzz", "seeds", "fixture")
for name, trace in {"data-csv": "data.csv", "spec-json": "spec.json", "missing": "student.csv", "empty-name": "",
                    "absolute": "/etc/passwd", "up": "../../etc/passwd", "dev-zero": "/dev/zero", "folder": "."}.items():
    with open(os.path.join(FIXTURES, f"trace-{name}.json"), "w") as f:
        f.write('{"preset": "mazur-2015", "trace": %s}\n' % json.dumps(trace))
with open(os.path.join(FIXTURES, "trace-and-values.json"), "w") as f:
    f.write('{"preset": "mazur-2015", "trace": "data.csv", "values": [{"name": "out_o1", "value": "0.75136507"}]}\n')
print(f"{len(os.listdir(SEEDS))} seeds in {SEEDS}")
