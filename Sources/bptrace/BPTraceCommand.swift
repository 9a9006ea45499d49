import ArgumentParser
import BPTrace
import Foundation

@main
struct BPTraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bptrace",
        abstract: "Make backpropagation visible: train a small network step by step and write every intermediate.",
        discussion: """
        bptrace trains a multilayer perceptron from a spec (or a built-in preset) and records every intermediate of every step: net inputs, activations, slopes, deltas, the error sent back to each hidden layer, gradients and updates. It writes them as a live-formula workbook (xlsx), a tidy CSV table or a Markdown+LaTeX handout, and checks hand-computed numbers against them.

        Examples:
          bptrace run --steps 12          # default network -> ./mazur-2015.xlsx
          bptrace run --preset analytics-vidhya --format csv,xlsx --out out/
          bptrace run --spec my-net.json --steps 100 --format csv
          bptrace run --format md --steps 12    # handout -> ./mazur-2015.md
          bptrace check Fixtures/mazur-2015.json
          bptrace presets
          bptrace graph --expr "1/(1+exp(-(w0*x0+w1*x1+w2)))" \\
              --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3
          bptrace landscape --preset nndl-nonconvex --steps 100
          bptrace gradcheck --eps-sweep --plot v.svg

        Exit codes:
          0   success
          1   run: training stopped at a non-finite value (the trace up to
              it was written); check: a value failed; gradcheck: an error
              above the threshold
          64  bad command-line usage (unknown option, --steps 0, ...)
          65  invalid spec, data or fixture (the message names the key path)
          66  a spec, data or fixture file does not exist or is unreadable
          73  an output file exists or appeared meanwhile (use --force) or
              the output folder cannot be written
          74  an I/O error while writing, standard output included (no
              partial file is left)
        """,
        version: "0.1.0",
        subcommands: [RunCommand.self, CompareCommand.self, PresetsCommand.self, CheckCommand.self, FixtureCommand.self, GradcheckCommand.self, GraphCommand.self, LandscapeCommand.self],
        defaultSubcommand: nil
    )

    /// Parses and runs as argument-parser does, except that an error's message (which may quote
    /// an argument the user typed) reaches the terminal with control and bidi characters escaped.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            // Help and --version print to standard output, as argument-parser does.
            if code == .success { exit(withError: error) }
            let message = fullMessage(for: error)
            if !message.isEmpty {
                FileHandle.standardError.write(Data((SafeText.escaped(message, keepNewlines: true) + "\n").utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
