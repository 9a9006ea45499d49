import Foundation
import Testing

/// The explorer (`run --format html`) through the CLI, and in a real browser: headless Debian
/// Chromium driven by scripts/explorer_browser.py (Selenium). The browser tests are skipped,
/// with the reason shown, only when Chromium, chromium-driver or python3-selenium is missing
/// here; `scripts/install-deps.sh --test` (CI) installs them.
@Suite struct ExplorerBrowserTests {
    static let script = CLI.repoRoot + "/scripts/explorer_browser.py"

    /// Whether Chromium, its driver and Selenium are installed.
    static let browserAvailable: Bool = {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: "/usr/bin/chromium"), fm.isExecutableFile(atPath: "/usr/bin/chromedriver") else { return false }
        let python = fm.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        return (try? Subprocess.run(python, ["-c", "import selenium"]).status) == 0
    }()

    /// Runs the browser checks on the page and trace in `dir`; returns the script's output.
    static func browse(_ dir: String, _ name: String, _ extra: [String] = []) throws -> Subprocess.Result {
        try Subprocess.run("python3", [script, "\(dir)/\(name).html", "\(dir)/\(name).csv"] + extra, in: dir)
    }

    @Test(.enabled(if: browserAvailable, "needs chromium, chromium-driver and python3-selenium (scripts/install-deps.sh --test)"))
    func defaultNetworkInChromium() throws {
        let dir = try CLI.scratch("explorer")
        let run = try CLI.run(["run", "--format", "html,csv", "--steps", "12", "--out", dir])
        #expect(run.status == 0, "\(run.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/mazur-2015.html")[.size] as? Int ?? 0
        #expect(size > 0 && size < 300_000, "\(size) bytes")
        let r = try Self.browse(dir, "mazur-2015", ["--step", "3", "--cell", "delta,1,1,2"])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("ok   no request leaves the page"), "\(r.stdout)")
        #expect(r.stdout.contains("ok   → moves from step 3 to step 4"), "\(r.stdout)")
        #expect(r.stdout.contains("all checks passed"), "\(r.stdout)")
    }

    /// A spec the page was not written for: batches of 2, softmax with cross-entropy, L2, Adam,
    /// 6 decimals; clicked cells of several steps.
    @Test(.enabled(if: browserAvailable, "needs chromium, chromium-driver and python3-selenium (scripts/install-deps.sh --test)"))
    func unseenSpecInChromium() throws {
        let dir = try CLI.scratch("explorer-spec")
        let spec = """
        {"name": "unseen", "layers": [3, 4, 3], "activations": ["tanh", "softmax"], "loss": "cross_entropy",
         "learning_rate": 0.05, "batch": 2, "l2": 0.01, "optimizer": "adam",
         "init": {"distribution": "uniform", "seed": 3},
         "data": {"inputs": [[0.1, 0.5, -0.3], [0.9, -0.2, 0.4], [0.3, 0.3, 0.8]],
                  "targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}
        """
        try spec.write(toFile: dir + "/unseen.json", atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", "--spec", "unseen.json", "--format", "html,csv", "--steps", "7", "--decimals", "6"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        for (step, cell) in [(3, "delta,1,2,3"), (5, "grad_W,2,4,2"), (2, "m_hat_W,1,3,1"), (6, "a,2,1,3")] {
            let r = try Self.browse(dir, "unseen", ["--decimals", "6", "--step", "\(step)", "--cell", cell])
            #expect(r.status == 0 && r.stdout.contains("all checks passed"), "step \(step) \(cell):\n\(r.stdout)\n\(r.stderr)")
        }
    }

    /// A run stopped by an overflow still gets its page: the steps before it, and why it stopped.
    @Test func aStoppedRunGetsItsPage() throws {
        let dir = try CLI.scratch("explorer-stop")
        let show = try CLI.run(["presets", "--show", "deep-relu"])
        let spec = show.stdout.replacingOccurrences(of: "\"learning_rate\": 0.5", with: "\"learning_rate\": 1e150")
        #expect(spec != show.stdout)
        try spec.write(toFile: dir + "/boom.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--spec", "boom.json", "--format", "html", "--steps", "10"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("training stopped: step 2"), "\(r.stderr)")
        let page = try String(contentsOfFile: dir + "/deep-relu.html", encoding: .utf8)
        #expect(page.contains("Training stopped at step 2: z of layer 3 (row 1, column 1) is not a finite number."))
        #expect(page.contains("\"steps\":[1]"))
    }

    @Test func htmlStepsOutOfRangeIsAUsageError() throws {
        let dir = try CLI.scratch("explorer-usage")
        let r = try CLI.run(["run", "--format", "html", "--html-steps", "0", "--out", dir])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--html-steps must be from 1 to 1000, found 0"), "\(r.stderr)")
        #expect(CLI.files(in: dir).isEmpty)
    }

    @Test func anExistingPageIsKeptWithoutForce() throws {
        let dir = try CLI.scratch("explorer-exists")
        #expect(try CLI.run(["run", "--format", "html", "--steps", "2", "--out", dir]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/mazur-2015.html"))
        let again = try CLI.run(["run", "--format", "html,csv", "--steps", "3", "--out", dir])
        #expect(again.status == 73)
        #expect(again.stderr.contains("mazur-2015.html exists; add --force to overwrite it"), "\(again.stderr)")
        #expect(CLI.files(in: dir) == ["mazur-2015.html"], "no CSV either: all or nothing")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/mazur-2015.html")) == before)
        let forced = try CLI.run(["run", "--format", "html", "--steps", "3", "--out", dir, "--force"])
        #expect(forced.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/mazur-2015.html")) != before)
    }
}
