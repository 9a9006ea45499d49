/// The explorer's script: it only shows what bptrace wrote into the page's JSON (numbers as
/// text, formulas as MathML); it computes no number. Step control (slider, buttons, ← →), stage
/// walk ([ ]), the step's tables, and the derivation of a clicked number.
enum HTMLScript {
    static let js = #"""
    "use strict";
    (function () {
      const D = JSON.parse(document.getElementById("data").textContent);
      const $ = (id) => document.getElementById(id);
      const blocks = {}; D.blocks.forEach((b) => { blocks[b.k] = b; });
      if (!D.steps.length) {
        $("status").textContent = "No step completed: see the note under the loss curve.";
        document.querySelectorAll("#controls button, #controls select, #controls input").forEach((e) => { e.disabled = true; });
        return;
      }
      let idx = 0, stage = 0, selected = null, sample = 1;
      const perSample = new Set(["x", "y", "z", "a", "delta"]);

      function cur() { return D.s[idx]; }
      function stepNo() { return D.steps[idx]; }
      function value(key) {
        const p = key.split("|"), m = cur().v[p[0] + "|" + p[1]];
        if (!m) return null;
        const row = m[Number(p[2]) - 1];
        return row ? (row[Number(p[3]) - 1] ?? null) : null;
      }
      function keyOf(el) { return [el.dataset.quantity, el.dataset.layer, el.dataset.row, el.dataset.col].join("|"); }
      function setCell(el, key, text) {
        const p = key.split("|");
        el.dataset.step = String(stepNo()); el.dataset.layer = p[1]; el.dataset.quantity = p[0];
        el.dataset.row = p[2]; el.dataset.col = p[3];
        el.classList.add("cell"); el.tabIndex = 0; el.setAttribute("role", "button");
        el.textContent = text;
      }
      function math(i, display) {
        return '<math' + (display ? ' display="block"' : '') + '>' + D.m[i] + '</math>';
      }

      function buildTables() {
        const root = $("tables"); root.textContent = "";
        for (let st = 1; st <= 12; st++) {
          const list = D.blocks.filter((b) => b.st === st && cur().v[b.k]);
          if (!list.length) continue;
          const sec = document.createElement("div"); sec.className = "stage"; sec.dataset.stage = String(st);
          const h = document.createElement("h3"); h.textContent = st + ". " + D.stages[st - 1]; sec.appendChild(h);
          const row = document.createElement("div"); row.className = "blockrow";
          for (const b of list) {
            const m = cur().v[b.k];
            const fig = document.createElement("figure"); fig.dataset.block = b.k;
            const cap = document.createElement("figcaption");
            cap.textContent = b.q + (b.q === "loss" || b.q === "cost" ? "" : " (layer " + b.l + ")") + " ";
            if (b.t !== b.q) { const small = document.createElement("small"); small.textContent = b.t; cap.appendChild(small); }
            fig.appendChild(cap);
            const t = document.createElement("table");
            const head = t.insertRow(); head.appendChild(document.createElement("th"));
            b.ch.forEach((c) => { const th = document.createElement("th"); th.textContent = c; head.appendChild(th); });
            m.forEach((vals, r) => {
              const tr = t.insertRow();
              const th = document.createElement("th"); th.textContent = b.rh[r] ?? "sample " + (r + 1); tr.appendChild(th);
              vals.forEach((v, c) => { const td = tr.insertCell(); setCell(td, b.k + "|" + (r + 1) + "|" + (c + 1), v); });
            });
            fig.appendChild(t); row.appendChild(fig);
          }
          sec.appendChild(row); root.appendChild(sec);
        }
      }

      function refreshDiagram() {
        document.querySelectorAll("#diagram .lblg").forEach((g) => {
          const p = g.dataset.key.split("|");
          if (perSample.has(p[0])) { p[2] = String(sample); g.dataset.key = p.join("|"); }
        });
        document.querySelectorAll("#diagram .cell").forEach((el) => {
          if (perSample.has(el.dataset.quantity)) el.dataset.row = String(sample);
          const v = value(keyOf(el));
          el.dataset.step = String(stepNo());
          el.textContent = v === null ? "" : v;
        });
      }

      function applyStage() {
        const computed = new Set(), inputs = new Set();
        if (stage > 0) D.blocks.forEach((b) => { if (b.st === stage) { computed.add(b.k); b.in.forEach((k) => inputs.add(k)); } });
        document.querySelectorAll("#tables figure").forEach((f) => {
          f.classList.toggle("computed", computed.has(f.dataset.block));
          f.classList.toggle("input", !computed.has(f.dataset.block) && inputs.has(f.dataset.block));
        });
        document.querySelectorAll("#tables .stage").forEach((s) => { s.classList.toggle("later", stage > 0 && Number(s.dataset.stage) > stage); });
        document.querySelectorAll("#diagram .lblg").forEach((g) => {
          const p = g.dataset.key.split("|"), b = p[0] + "|" + p[1];
          g.classList.toggle("computed", computed.has(b));
          g.classList.toggle("input", !computed.has(b) && inputs.has(b));
        });
        $("stage").value = String(stage);
        // The update stages show each weight's new value after an arrow; the boxes fit the text.
        const diagram = $("diagram");
        diagram.classList.toggle("updating", stage >= 11);
        diagram.querySelectorAll(".lblg").forEach((g) => {
          const t = g.querySelector("text"), r = g.querySelector("rect");
          if (!t.querySelector(".newval") || t.getAttribute("text-anchor") !== "middle") return;
          const w = t.getComputedTextLength() + 10;
          r.setAttribute("width", w.toFixed(2)); r.setAttribute("x", (Number(t.getAttribute("x")) - w / 2).toFixed(2));
        });
      }

      function mark(key) {
        document.querySelectorAll("#tables .cell, #diagram .lblg").forEach((el) => { el.classList.remove("operand", "selected"); });
        if (!key) return;
        const c = D.c[key], reads = new Set(cur().d[key] && c ? c[1] : []);
        document.querySelectorAll("#tables .cell, #diagram .lblg").forEach((el) => {
          const k = el.dataset.key || keyOf(el);
          if (k === key) el.classList.add("selected"); else if (reads.has(k)) el.classList.add("operand");
        });
      }

      function describe(key) {
        const p = key.split("|"), b = blocks[p[0] + "|" + p[1]];
        return p[0] + (b ? " (layer " + p[1] + ")" : "") + ", row " + p[2] + ", column " + p[3] + " of step " + stepNo() +
          (b && b.st ? "; stage " + b.st + " " + D.stages[b.st - 1] : "");
      }

      function show(key) {
        selected = key;
        const box = $("derivation"), lines = cur().d[key], v = value(key);
        const d = lines ? { l: lines, n: D.c[key][0], r: D.c[key][1] } : null;
        const parts = ['<h2 id="derivationh">How a number was computed</h2>'];
        if (!d) {
          parts.push('<p class="dname"><code></code></p><p class="where"></p>');
          parts.push('<dl><dt>Result</dt><dd><span class="result"></span></dd></dl>');
          parts.push('<p class="hint"></p>');
          box.innerHTML = parts.join("");
          box.querySelector("code").textContent = D.c[key] ? D.c[key][0] : p0name(key);
          box.querySelector(".where").textContent = describe(key);
          setCell(box.querySelector(".result"), key, v ?? "");
          box.querySelector(".result").classList.remove("cell");
          const b = blocks[key.split("|")[0] + "|" + key.split("|")[1]];
          if (b && b.f >= 0) {
            box.querySelector("dl").insertAdjacentHTML("afterbegin", '<dt>Formula</dt><dd class="formula general">' + math(b.f, false) + '</dd>');
            box.querySelector(".hint").textContent = "Every cell of this block is computed by this formula. Its numbers are too many to write out here (a wide layer or a large batch); the tables and the CSV trace hold them all.";
          } else {
            box.querySelector(".hint").textContent = inputNote(key);
          }
          mark(key);
          return;
        }
        const main = d.l[d.l.length - 1];
        parts.push('<p class="dname"><code></code> ' + math(main[0], false) + '</p><p class="where"></p>');
        if (d.l.length > 1) {
          parts.push('<div class="before">');
          d.l.slice(0, -1).forEach((l) => {
            const sym = l.slice(1, -2), sub = l[l.length - 2];
            parts.push('<math display="block"><mrow>' + D.m[l[0]] + sym.map((i) => '<mo>=</mo>' + D.m[i]).join("") +
              (sub >= 0 ? '<mo>=</mo>' + D.m[sub] : '') + '<mo>=</mo><mn>' + esc(l[l.length - 1]) + '</mn></mrow></math>');
          });
          parts.push('</div>');
        }
        const sym = main.slice(1, -2), sub = main[main.length - 2];
        parts.push('<dl><dt>Formula</dt><dd class="formula">' + '<math><mrow>' + D.m[main[0]] + sym.map((i) => '<mo>=</mo>' + D.m[i]).join("") + '</mrow></math></dd>');
        if (sub >= 0) parts.push('<dt>With the numbers</dt><dd class="substituted">' + math(sub, false) + '</dd>');
        parts.push('<dt>Result</dt><dd><span class="result"></span></dd></dl>');
        if (d.r.length) parts.push('<p class="hint">Computed from:</p><ul class="operands"></ul>');
        const gb = blocks[key.split("|")[0] + "|" + key.split("|")[1]];
        if (gb && gb.f >= 0) parts.push('<details class="general"><summary>The formula of every cell of this block</summary>' + math(gb.f, true) + '</details>');
        box.innerHTML = parts.join("");
        box.querySelector("code").textContent = d.n;
        box.querySelector(".where").textContent = describe(key);
        const res = box.querySelector(".result"); setCell(res, key, v ?? main[main.length - 1]);
        res.classList.remove("cell"); res.removeAttribute("role"); res.removeAttribute("tabindex");
        const ul = box.querySelector(".operands");
        d.r.forEach((k) => {
          const li = document.createElement("li");
          const btn = document.createElement("button"); btn.type = "button"; setCell(btn, k, value(k) ?? "");
          btn.classList.add("operand");
          const name = document.createElement("span");
          name.textContent = (D.c[k] ? D.c[k][0] : p0name(k)) + " = ";
          li.appendChild(name); li.appendChild(btn); ul.appendChild(li);
        });
        // The operands' numbers in the formulas, marked like the cells they come from.
        const shown = new Set(d.r.map((k) => (value(k) ?? "").replace(/^-/, "")).filter((t) => t !== ""));
        box.querySelectorAll(".substituted mn, .before mn").forEach((mn) => { if (shown.has(mn.textContent)) mn.classList.add("operand"); });
        mark(key);
      }
      function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
      function p0name(key) {
        const p = key.split("|"); return p[0] + "[" + p[2] + "," + p[3] + "] (layer " + p[1] + ")";
      }
      function inputNote(key) {
        const q = key.split("|")[0];
        if (q === "W" || q === "b") return stepNo() === 1 ? "A starting value: from the spec, or drawn by its init." : "The value after the previous step's update (W_new / b_new of step " + (stepNo() - 1) + ").";
        if (q === "x" || q === "y") return "A sample of the data: an input of the step.";
        return "No formula for this number.";
      }

      function go(i) {
        idx = Math.max(0, Math.min(D.steps.length - 1, i));
        $("step").value = String(idx + 1);
        document.querySelectorAll(".stepno").forEach((e) => { e.textContent = String(stepNo()); });
        $("stepno").textContent = String(stepNo());
        const lossKey = D.blocks.find((b) => b.q === "cost") ? "cost" : "loss";
        const lb = D.blocks.find((b) => b.q === lossKey);
        const lv = lb ? value(lb.k + "|1|1") : null;
        const st = $("status"); st.textContent = "Step " + stepNo() + " of " + D.completed + (lv !== null ? ", " + lossKey + " " : "");
        if (lv !== null) { const c = document.createElement("span"); setCell(c, lb.k + "|1|1", lv); st.appendChild(c); }
        if (stage > 0) st.appendChild(document.createTextNode("; stage " + stage + ": " + D.stages[stage - 1]));
        const m = D.marks[idx];
        if (m) {
          $("lossmark").setAttribute("cx", m[0]); $("lossmark").setAttribute("cy", m[1]);
          $("lossline").setAttribute("x1", m[0]); $("lossline").setAttribute("x2", m[0]);
        }
        buildTables(); refreshDiagram(); applyStage();
        if (selected) show(selected);
      }
      function setStage(s) { stage = (s + 13) % 13; applyStage(); go(idx); }

      $("step").addEventListener("input", (e) => go(Number(e.target.value) - 1));
      $("prev").addEventListener("click", () => go(idx - 1));
      $("next").addEventListener("click", () => go(idx + 1));
      $("stage").addEventListener("change", (e) => setStage(Number(e.target.value)));
      if ($("sample")) $("sample").addEventListener("change", (e) => { sample = Number(e.target.value); go(idx); });
      $("stageprev").addEventListener("click", () => setStage(stage - 1));
      $("stagenext").addEventListener("click", () => setStage(stage + 1));
      document.addEventListener("click", (e) => {
        const el = e.target.closest ? e.target.closest(".cell") : null;
        if (el && el.dataset.quantity) show(keyOf(el));
      });
      document.addEventListener("keydown", (e) => {
        if (e.altKey || e.ctrlKey || e.metaKey) return;
        const t = e.target, tag = t && t.tagName;
        if ((e.key === "Enter" || e.key === " ") && t.classList && t.classList.contains("cell") && tag !== "BUTTON") {
          e.preventDefault(); show(keyOf(t)); return;
        }
        if (tag === "INPUT" || tag === "SELECT") return;
        if (e.key === "ArrowRight") { e.preventDefault(); go(idx + 1); }
        else if (e.key === "ArrowLeft") { e.preventDefault(); go(idx - 1); }
        else if (e.key === "]") setStage(stage + 1);
        else if (e.key === "[") setStage(stage - 1);
      });
      // A link may open a step, a stage and a number: page.html#step=3&stage=10&cell=delta|1|1|1.
      function fromHash() {
        const want = {};
        location.hash.replace(/^#/, "").split("&").forEach((kv) => { const i = kv.indexOf("="); if (i > 0) want[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); });
        const at = D.steps.indexOf(Number(want.step));
        if (Number(want.stage) >= 0 && Number(want.stage) <= 12 && want.stage !== undefined) stage = Number(want.stage);
        go(at >= 0 ? at : idx);
        if (want.cell && /^[a-zA-Z_]+\|\d+\|\d+\|\d+$/.test(want.cell) && value(want.cell) !== null) show(want.cell);
      }
      window.addEventListener("hashchange", fromHash);
      fromHash();
    })();
    """#
}
