#!/usr/bin/env python3
"""Writes the hand-made seed corpus Fuzz/seeds/<target>/ (committed; rerun to regenerate).

Sources: the presets (`bptrace presets --show`), Fixtures/*.json, the bad-input cases of
Tests/bptraceCLITests/BadInputTests.swift (extracted by Fuzz/tools/extract_bad_inputs.sh into
a folder given as argv[2]), the bad fixtures and names of Tests/BPTraceTests/Check*Tests.swift,
and the hostile cases of issue 8. Usage: make_seeds.py BPTRACE_BINARY BAD_INPUTS_DIR
"""
import json, os, subprocess, sys, glob

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "Fuzz", "seeds")
binary, bad_dir = sys.argv[1], sys.argv[2]


def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


for t in ("spec", "fixture", "csv", "names"):
    for f in glob.glob(os.path.join(SEEDS, t, "*")):
        os.remove(f)

# --- spec ---------------------------------------------------------------------------------
presets = subprocess.run([binary, "presets"], capture_output=True, text=True, check=True).stdout
names = [l.split()[0] for l in presets.splitlines() if l.strip() and not l.startswith(" ") and l.split()[0][0].isalpha()]
preset_json = {}
for n in names:
    r = subprocess.run([binary, "presets", "--show", n], capture_output=True, text=True)
    if r.returncode == 0:
        preset_json[n] = r.stdout
        put("spec", f"preset-{n}.json", r.stdout)

MAZUR = json.loads(preset_json["mazur-2015"])
for case in sorted(os.listdir(bad_dir)):
    spec = open(os.path.join(bad_dir, case, "spec.json")).read().replace('"d.csv"', '"data.csv"')
    put("spec", f"bad-{case}.json", spec)
    if os.path.exists(os.path.join(bad_dir, case, "d.csv")):
        put("csv", f"bad-{case}.csv", open(os.path.join(bad_dir, case, "d.csv"), "rb").read())


def spec_with(**changes):
    s = dict(MAZUR)
    for k, v in changes.items():
        if v is None:
            s.pop(k, None)
        else:
            s[k] = v
    return json.dumps(s)


hostile = {
    "batch-int64-max": spec_with(batch=9223372036854775807),
    "batch-int64-max-plus-1": spec_with(batch=9223372036854775808),
    "layers-4096x50": spec_with(layers=[4096] * 50, activations=None, weights=None, biases=None,
                                data={"inputs": [[0.5] * 4096], "targets": [[0.5] * 4096]}),
    "layers-4096x50-no-data": spec_with(layers=[4096] * 50, activations=None, weights=None, biases=None),
    "data-csv-etc-shadow": spec_with(data={"csv": "/etc/shadow", "inputs": ["a", "b"], "targets": ["c", "d"]}),
    "data-csv-sandbox": spec_with(data={"csv": "data.csv", "inputs": ["x1", "x2"], "targets": ["y1", "y2"]}),
    "data-csv-duplicate-columns": spec_with(data={"csv": "data.csv", "inputs": ["x1", "x1"], "targets": ["y1", "y1"]}),
    "data-csv-long-column": spec_with(data={"csv": "data.csv", "inputs": ["x" * 40000, "x2"], "targets": ["y1", "y2"]}),
    "init-bounds-1e308": spec_with(weights=None, biases=None, init={"distribution": "uniform", "low": -1e308, "high": 1e308, "seed": 1}),
    "init-std-1e308": spec_with(weights=None, biases=None, init={"distribution": "normal", "mean": 1e308, "std": 1e308, "seed": 4294967295}),
    "learning-rate-1e308": spec_with(learning_rate=1e308),
    "l2-1e308": spec_with(l2=1e308),
    "name-rlo": spec_with(name="net\u202egpj.exe"),
    "name-control": spec_with(name="net\u0001\u001b[31m"),
    "description-rlo": spec_with(description="\u202e\u0000\u0007"),
    "weight-denormal": spec_with(weights=[[[5e-324, -5e-324], [2.2250738585072014e-308, 0]], [[0.4, 0.5], [0.45, 0.55]]]),
    "layers-int64-max": spec_with(layers=[2, 9223372036854775807, 2], activations=None, weights=None, biases=None),
    "layers-negative-zero": spec_with(layers=[2, -0, 2]),
    "layers-exponent": spec_with(layers=[2, 2e0, 2]),
}
for k, v in hostile.items():
    put("spec", f"hostile-{k}.json", v)
put("spec", "hostile-hex-float.json", json.dumps(MAZUR).replace('"learning_rate": 0.5', '"learning_rate": 0x1p-4'))
put("spec", "hostile-deep-array.json", '{"layers": ' + "[" * 1000 + "]" * 1000 + "}")
put("spec", "hostile-deep-object.json", '{"data": ' + '{"a":' * 1000 + "1" + "}" * 1000 + "}")
put("spec", "hostile-nul-in-string.json", '{"name": "a\\u0000b", "layers": [2, 2]}')
put("spec", "hostile-lone-surrogate.json", '{"name": "\\ud800", "layers": [2, 2]}')
put("spec", "hostile-not-utf8.json", b'{"name": "\xff\xfe", "layers": [2, 2]}')
put("spec", "hostile-bom.json", "\ufeff" + preset_json["mazur-2015"])
put("spec", "hostile-long-number.json", '{"learning_rate": 0.' + "1" * 40000 + "}")
put("spec", "hostile-huge-exponent.json", '{"learning_rate": 1e99999999999999999999}')
put("spec", "empty.json", "")

# --- fixture --------------------------------------------------------------------------------
for f in sorted(glob.glob(os.path.join(ROOT, "Fixtures", "*.json"))):
    put("fixture", "shipped-" + os.path.basename(f), open(f, "rb").read())

MAZUR_SPEC = ('"spec": {"layers": [2, 2, 2], "learning_rate": 0.5, "update_biases": false,'
              ' "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],'
              ' "biases": [[0.35, 0.35], [0.60, 0.60]], "data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]}}')


def bad(fourth):
    return ('{"source": {"title": "bad"}, ' + MAZUR_SPEC + ', "values": [\n'
            '  {"name": "net_h1", "value": "0.3775"}, {"name": "out_o1", "value": "0.75136507"}, {"name": "E_total", "value": "0.298371109"},\n'
            '  ' + fourth + ']}\n')


entries = {
    "unknown-name": '{"name": "outt_o1", "value": "0.75"}',
    "w9": '{"name": "w9", "value": "0.1"}',
    "dw9": '{"name": "dE_total/dw9", "value": "0.1"}',
    "out-h3": '{"name": "out_h3", "value": "0.1"}',
    "value-letters": '{"name": "out_o1", "value": "0.75a"}',
    "value-comma": '{"name": "out_o1", "value": "0,75"}',
    "value-null": '{"name": "out_o1", "value": null}',
    "value-missing": '{"name": "out_o1"}',
    "tolerance-negative": '{"name": "out_o1", "value": "0.7", "tolerance": "-1"}',
    "status-unknown": '{"name": "out_o1", "value": "0.7", "status": "wrong"}',
    "convention-unknown": '{"name": "out_o1", "value": "0.7", "status": "convention", "convention": "sideways"}',
    "with-layers": '{"name": "out_o1", "value": "0.7", "with": {"layers": [2, 2]}}',
    "quantity-unknown": '{"layer": 2, "quantity": "alpha", "row": 1, "col": 1, "value": "1"}',
    "layer-3": '{"layer": 3, "quantity": "a", "row": 1, "col": 1, "value": "1"}',
    "no-name": '{"value": "1"}',
    "unknown-key": '{"name": "out_o1", "value": "1", "colour": "red"}',
    "two-bad": '{"name": "w9", "value": "1"}, {"name": "out_o1", "value": "x"}',
    "value-two-points": '{"name": "out_o1", "value": "0.7.5"}',
    "net-h9": '{"name": "net_h9", "value": "1"}',
    # hostile (issue 8)
    "step-1e9": '{"name": "out_o1", "step": 1e9, "value": "0.7"}',
    "step-int64-max": '{"name": "out_o1", "step": 9223372036854775807, "value": "0.7"}',
    "name-step-int64-max": '{"name": "E_total@9223372036854775807", "value": "0.3"}',
    "name-step-int64-max-plus-1": '{"name": "E_total@9223372036854775808", "value": "0.3"}',
    "name-sample-int64-max": '{"name": "out_o1[9223372036854775807]", "value": "0.3"}',
    "coordinates-int64": '{"step": 1, "layer": 9223372036854775807, "quantity": "a", "row": -9223372036854775808, "col": 9223372036854775807, "value": "1"}',
    "name-rlo": '{"name": "out_o1\\u202e", "value": "0.7"}',
    "name-control": '{"name": "out_\\u0000o1\\u001b", "value": "0.7"}',
    "value-hex": '{"name": "out_o1", "value": "0x1p-4"}',
    "value-nul": '{"name": "out_o1", "value": "0.05\\u0000junk"}',
    "tolerance-1e308": '{"name": "out_o1", "value": "0.7", "tolerance": "1e308"}',
    "value-1e-400": '{"name": "out_o1", "value": "1e-400"}',
    "value-long": '{"name": "out_o1", "value": "0.' + "7" * 40000 + '"}',
    "with-layers-4096x50": '{"name": "out_o1", "value": "0.7", "with": {"layers": [' + ", ".join(["4096"] * 50) + '], "activations": null, "weights": null, "biases": null}}',
    "with-batch-int64-max": '{"name": "out_o1", "value": "0.7", "with": {"batch": 9223372036854775807}}',
    "convention-all": '{"name": "out_o1", "value": "0.7", "status": "convention", "convention": ["lr_folded", "update=immediate", "sign"]}',
    "erratum-exact": '{"name": "out_o1", "value": "0.7", "status": "erratum", "exact": "0.75136507"}',
    "step-beyond-steps": '{"name": "E_total@2", "value": "1"}',
}
for k, v in entries.items():
    put("fixture", f"bad-{k}.json", bad(v))
put("fixture", "bad-spec-learning-rate.json", bad('{"name": "out_o1", "value": "0.7"}').replace('"learning_rate": 0.5', '"learning_rate": -0.5'))
put("fixture", "bad-spec-shapes.json", bad('{"name": "out_o1", "value": "0.7"}').replace('"layers": [2, 2, 2]', '"layers": [2, 3, 2]'))
put("fixture", "bad-spec-layers.json", bad('{"name": "out_o1", "value": "0.7"}').replace('[2, 2, 2]', '[2, 2]'))
whole = {
    "unclosed": '{"values": [',
    "no-values": '{"preset": "mazur-2015"}',
    "no-spec": '{"values": [{"name": "out_o1", "value": "1"}]}',
    "preset-typo": '{"preset": "mazur-2105", "values": [{"name": "out_o1", "value": "1"}]}',
    "spec-missing-file": '{"spec": "no-such-spec.json", "values": [{"name": "out_o1", "value": "1"}]}',
    "spec-path": '{"spec": "spec.json", "values": [{"name": "out_o1", "value": "0.75136507"}]}',
    "steps-1": '{"preset": "mazur-2015", "steps": 1, "values": [{"name": "E_total@2", "value": "1"}]}',
    "steps-1e9": '{"preset": "mazur-2015", "steps": 1e9, "values": [{"name": "E_total", "value": "1"}]}',
    "steps-int64-max": '{"preset": "mazur-2015", "steps": 9223372036854775807, "values": [{"name": "E_total", "value": "1"}]}',
    "spec-etc-shadow": '{"spec": "/etc/shadow", "values": [{"name": "out_o1", "value": "1"}]}',
    "spec-and-preset": '{"spec": "spec.json", "preset": "xor", "values": [{"name": "out_o1", "value": "1"}]}',
    "values-empty": '{"preset": "xor", "values": []}',
    "deep": '{"values": ' + "[" * 1000 + "]" * 1000 + "}",
    "source-number": '{"preset": "xor", "source": {"title": 1, "year": 2015}, "values": [{"name": "E_total", "value": "1"}]}',
}
for k, v in whole.items():
    put("fixture", f"file-{k}.json", v)

# --- csv ------------------------------------------------------------------------------------
csvs = {
    "sandbox": "x1,x2,y1,y2\n0.05,0.1,0.01,0.99\n",
    "crlf": "x1,x2,y1,y2\r\n0.05,0.1,0.01,0.99\r\n1,2,0.5,0.5\r\n",
    "quoted": '"x1","x2","y1","y2"\n"0.05","0.1","0.01","0.99"\n',
    "quoted-newline": '"x\n1",x2,y1,"y""2"\n1,2,3,4\n',
    "unclosed-quote": 'x1,x2,y1,y2\n"0.05,0.1,0.01,0.99\n',
    "bom": "\ufeffx1,x2,y1,y2\n0.05,0.1,0.01,0.99\n",
    "header-only": "x1,x2,y1,y2\n",
    "empty": "",
    "blank-lines": "\n\nx1,x2,y1,y2\n\n0.05,0.1,0.01,0.99\n\n",
    "ragged": "x1,x2,y1,y2\n0.05,0.1,0.01\n",
    "duplicate-headers": "x1,x1,y1,y1\n0.05,0.1,0.01,0.99\n",
    "nul-junk": "x1,x2,y1,y2\n0.05\x00junk,0.1,0.01,0.99\n",
    "hex-float": "x1,x2,y1,y2\n0x1p-4,0.1,0.01,0.99\n",
    "inf-nan": "x1,x2,y1,y2\ninf,-nan,infinity,1e999\n",
    "spaces": "x1 , x2 ,y1,y2\n 0.05 , 0.1 ,0.01,0.99\n",
    "long-column": "x" * 40000 + ",x2,y1,y2\n0.05,0.1,0.01,0.99\n",
    "rlo-control": "x1\u202e,x2\u0001,y1,y2\n0.05,0.1,0.01,0.99\n",
    "targets-out-of-range": "x1,x2,y1,y2\n0.05,0.1,-1,2\n",
    "cr-only": "x1,x2,y1,y2\r0.05,0.1,0.01,0.99\r",
    "many-rows": "x1,x2,y1,y2\n" + "0.05,0.1,0.01,0.99\n" * 2000,
}
for k, v in csvs.items():
    put("csv", f"{k}.csv", v)
put("csv", "not-utf8.csv", b"x1,x2,y1,y2\n\xff,\xfe,1,2\n")

# --- names (byte 0: preset index, byte 1: sample/step fields, then the name) ---------------
name_list = """net_h1 net_o1 out_h1 out_o1 out_o2 E_o1 E_total E_total@2 E_total@0 E_total[1] dE_total/dw5
dE_total/dw1 dE_total/db1 dE_total/dout_o1 dout_o1/dnet_o1 dnet_o1/dw5 dE_total/dout_h1 dE_o1/dout_h1
dE_o1/dnet_o1 dnet_o1/dout_h1 dout_h1/dnet_h1 dnet_h1/dw1 dnet_h1/db1 w5+ w1+ b1 b2+ bh+[2] bout+ bout+[1]@
out_o1@3 out_o1[2] out_o1@1[3] out_o1[x] out_o1@x a(2)[1,1] W_new(1)[2,1] grad_W(2)[1,2] err(2)[1,1]
cost(3)[1,1] d_output[1,1] d_hiddenlayer[2,3] hidden_layer_input[2,1] Error_at_hidden_layer[2,3]
wout+[2,1] net_h1_5[1] out_h2_4[2] b1_1+ dE_total/dnet_h3[2] w9 w21 w53 outt_o1 ∂E_total/∂w5
d/dw5 dfoo/dw5 dE/dw5 E_total@9223372036854775807 E_total@9223372036854775808 out_o1[9223372036854775807]
a(9223372036854775807)[1,1] a(2)[9223372036854775807,1] a(2)[-1,1] out_o1\u202e out_\x00o1 0x1p-4 0.05
-3.001 1e-05 lr_folded update=immediate lr_folded+update=immediate sign+loss""".split()
presets_order = ["mazur-2015", "mazur-2015-immediate", "analytics-vidhya", "tanh-relu-softmax", "xor"]
for i, n in enumerate(name_list):
    p = 2 if n.startswith(("d_", "hidden", "Error", "wout", "bout", "bh")) else (3 if "_5" in n or "_4" in n or "h3" in n else 0)
    put("names", f"name-{i:03d}", bytes([p, 0]) + n.encode("utf-8"))
put("names", "name-sample-step", bytes([0, 0b0111]) + b"out_o1")
put("names", "name-long", bytes([1, 1]) + b"out_o" + b"1" * 40000)
