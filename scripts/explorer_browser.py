#!/usr/bin/env python3
"""Checks bptrace's explorer page (run --format html) in a real browser: headless Debian
Chromium through Selenium (chromium, chromium-driver, python3-selenium; installed by
scripts/install-deps.sh --test).

  explorer_browser.py PAGE.html TRACE.csv [--screenshot OUT.png] [--decimals N]
                      [--step 3] [--cell delta,1,1,1]

Opens PAGE from file://, then checks, printing one line per check and exiting 1 on any failure:
- no request left the page (performance.getEntriesByType('resource') is empty) and the
  browser logged no error (a Content-Security-Policy violation or a script error);
- every number shown for a trace cell (every element with data-quantity) at the first, the chosen and the last
  explorable step equals the CSV trace's value at the decimals;
- after stepping to --step with the Next button, a click on --cell (quantity,layer,row,col;
  default a hidden delta) shows that cell's value, a formula, and operands that are the CSV's
  values of the cells it names, each put into the formula with the numbers;
- the → key moves to the next step and the derivation follows it;
- a link `PAGE.html#step=S&cell=q|l|r|c` opens that step with that number's derivation.
Exit 2 when Chromium, its driver or Selenium is missing (the message says what to install).
"""
import csv
import shutil
import sys
from pathlib import Path

FAIL = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAIL.append(what)


def main(argv):
    args = argv[1:]
    opts = {"--screenshot": None, "--decimals": "3", "--step": "3", "--cell": None}
    pos = []
    i = 0
    while i < len(args):
        if args[i] in opts:
            opts[args[i]] = args[i + 1]
            i += 2
        else:
            pos.append(args[i])
            i += 1
    if len(pos) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    page, trace = Path(pos[0]).resolve(), Path(pos[1])
    decimals, step = int(opts["--decimals"]), int(opts["--step"])

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
    try:
        from selenium import webdriver
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        # Debian's python3-selenium is for the system python; another python3 first on PATH
        # (pyenv) hands over to it.
        import os
        if sys.executable != "/usr/bin/python3" and Path("/usr/bin/python3").exists():
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + argv)
        browser = None
    if not browser or not driver:
        print("explorer_browser: needs chromium, chromium-driver and python3-selenium "
              "(apt-get install chromium chromium-driver python3-selenium, or scripts/install-deps.sh --test)", file=sys.stderr)
        return 2

    values = {}
    with open(trace, newline="") as f:
        for r in csv.DictReader(f):
            values[(int(r["step"]), r["quantity"], int(r["layer"]), int(r["row"]), int(r["col"]))] = float(r["value"])

    def shown(v):
        # The page's form: fixed decimals; from 10^15 on, scientific with at most 6 (1.5e16).
        if abs(v) >= 1e15:
            m, e = ("%.*e" % (min(decimals, 6), v)).split("e")
            if "." in m:
                m = m.rstrip("0").rstrip(".")
            return "%se%d" % (m, int(e))
        return "%.*f" % (decimals, v)

    def put_in(v):
        # How a number appears in a formula's text: its digits (a large one as m × 10^e).
        return shown(v).lstrip("-").split("e")[0]

    o = webdriver.ChromeOptions()
    o.binary_location = browser
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1000",
              "--force-device-scale-factor=1", "--hide-scrollbars"]:
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(driver), options=o)
    try:
        d.get(page.as_uri())
        check(d.execute_script("return document.readyState") == "complete", "the page loads from file://")
        resources = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        check(resources == [], "no request leaves the page (resources: %s)" % resources)
        csp = d.execute_script("return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
        check("default-src 'none'" in csp, "a Content-Security-Policy forbids remote loads")
        steps = d.execute_script("return JSON.parse(document.getElementById('data').textContent).steps")

        def compare_cells(where):
            cells = d.execute_script("""return Array.from(document.querySelectorAll('[data-quantity]'))
                .map(e => [e.dataset.step, e.dataset.quantity, e.dataset.layer, e.dataset.row, e.dataset.col, e.textContent])""")
            bad = []
            for s, q, l, r, c, t in cells:
                v = values.get((int(s), q, int(l), int(r), int(c)))
                if v is None or shown(v) != t:
                    bad.append((s, q, l, r, c, t, v))
            check(cells and not bad, "%s: all %d numbers shown equal the CSV at %d decimals%s"
                  % (where, len(cells), decimals, "" if not bad else "; first differences %s" % bad[:3]))

        def current():
            return int(d.find_element(By.ID, "stepno").text)

        compare_cells("step %d" % current())
        while current() < step and current() < steps[-1]:
            d.find_element(By.ID, "next").click()
        check(current() == step, "the Next button reaches step %d" % step)
        compare_cells("step %d" % step)

        L = max(b["l"] for b in d.execute_script("return JSON.parse(document.getElementById('data').textContent).blocks"))
        cell = (opts["--cell"] or "delta,%d,1,1" % max(1, L - 1)).split(",")
        q, l, r, c = cell[0], int(cell[1]), int(cell[2]), int(cell[3])
        sel = "#tables .cell[data-quantity='%s'][data-layer='%d'][data-row='%d'][data-col='%d']" % (q, l, r, c)
        target = d.find_element(By.CSS_SELECTOR, sel)
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
        target.click()
        der = d.find_element(By.ID, "derivation")
        result = der.find_element(By.CSS_SELECTOR, ".result")
        v = values[(step, q, l, r, c)]
        check(result.text == shown(v) and result.get_attribute("data-step") == str(step),
              "clicked %s(%d)[%d,%d] at step %d: the result %s is the CSV's %r" % (q, l, r, c, step, result.text, v))
        name = der.find_element(By.CSS_SELECTOR, "code").text
        check(name != "", "the derivation names the value (%s)" % name)
        formula = der.find_elements(By.CSS_SELECTOR, ".formula math")
        check(len(formula) == 1 and formula[0].text.strip() != "", "the derivation shows its formula as MathML")
        # The numbers put in: the line's own, and those of the lines before it (softmax's e = e^{net - m}).
        subst = d.execute_script("return Array.from(document.querySelectorAll('#derivation .substituted math, #derivation .before math')).map(m => m.textContent).join(' ')")
        subst = subst.replace("\u2212", "-")
        ops = der.find_elements(By.CSS_SELECTOR, ".operands button")
        check(len(ops) > 0, "the derivation lists the cells it reads (%d)" % len(ops))
        for b in ops:
            k = (int(b.get_attribute("data-step")), b.get_attribute("data-quantity"), int(b.get_attribute("data-layer")),
                 int(b.get_attribute("data-row")), int(b.get_attribute("data-col")))
            ov = values.get(k)
            check(ov is not None and b.text == shown(ov) and put_in(ov) in subst,
                  "operand %s = %s is the CSV's %r and is put into the formula" % (k, b.text, ov))
        inmath = d.execute_script("return document.querySelectorAll('#derivation mn.operand').length")
        check(inmath > 0, "the operands' numbers are marked in the formula (%d)" % inmath)
        marked = d.execute_script("return document.querySelectorAll('#tables .cell.operand').length")
        check(marked > 0, "the operands are highlighted in the tables (%d cells)" % marked)

        if opts["--screenshot"]:
            # Stage 5 (the output layer) walked, out_o1 clicked on the diagram: yellow, orange and a derivation in view.
            d.execute_script("document.getElementById('stage').value = '5'; document.getElementById('stage').dispatchEvent(new Event('change'))")
            d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                             d.find_element(By.CSS_SELECTOR, "#diagram .cell[data-quantity='a'][data-layer='%d'][data-row='1'][data-col='1']" % L))
            d.execute_script("window.scrollTo(0, 0)")
            d.save_screenshot(opts["--screenshot"])
            print("screenshot: %s" % opts["--screenshot"])
            d.execute_script("document.getElementById('stage').value = '0'; document.getElementById('stage').dispatchEvent(new Event('change'))")
            d.execute_script("arguments[0].click()", d.find_element(By.CSS_SELECTOR, sel))

        d.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        after = current()
        if step < steps[-1]:
            check(after == step + 1, "→ moves from step %d to step %d" % (step, after))
        else:
            check(after == step, "→ stays at the last explorable step %d" % step)
        result = d.find_element(By.CSS_SELECTOR, "#derivation .result")
        check(result.get_attribute("data-step") == str(after) and result.text == shown(values[(after, q, l, r, c)]),
              "the derivation follows to step %d (%s)" % (after, result.text))
        compare_cells("step %d" % after)
        d.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
        while current() < steps[-1]:
            d.find_element(By.ID, "next").click()
        compare_cells("last explorable step %d" % current())
        samples = d.execute_script("const s = document.getElementById('sample'); return s ? s.options.length : 0")
        if samples > 1:
            d.execute_script("const s = document.getElementById('sample'); s.value = String(s.options.length); s.dispatchEvent(new Event('change'))")
            rows = d.execute_script("return Array.from(document.querySelectorAll('#diagram .cell[data-quantity=\"a\"]')).map(e => e.dataset.row)")
            check(rows and all(r == str(samples) for r in rows), "the sample control shows sample %d on the diagram" % samples)
            compare_cells("sample %d of the last explorable step" % samples)

        # A link opens a step and a number: page.html#step=S&cell=q|l|r|c.
        d.get(page.as_uri() + "#step=%d&cell=%s|%d|%d|%d" % (step, q, l, r, c))
        result = d.find_element(By.CSS_SELECTOR, "#derivation .result")
        check(current() == step and result.text == shown(values[(step, q, l, r, c)]),
              "the link #step=%d&cell=%s|%d|%d|%d opens that step and number" % (step, q, l, r, c))

        logs = [e for e in d.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]
        check(logs == [], "the browser logged no errors (%s)" % logs[:3])
    finally:
        d.quit()
    print("%d check(s) failed" % len(FAIL) if FAIL else "all checks passed")
    return 1 if FAIL else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
