#!/bin/sh
# Writes every case of Tests/bptraceCLITests/BadInputTests.swift that has a spec into DIR/<label>/
# (spec.json, its data files, args) by compiling the test's case table into a tiny program.
# Usage: Fuzz/tools/extract_bad_inputs.sh DIR   (used by make_seeds.py's caller, see docs/FUZZING.md)
set -eu
cd "$(dirname "$0")/../.."
out=$1; work=$(mktemp -d)
src=Tests/bptraceCLITests/BadInputTests.swift
end=$(grep -n '^    \]$' "$src" | sed -n 2p | cut -d: -f1)
{
    echo 'import Foundation'; echo 'struct BadInputTests {'
    sed -n "7,${end}p" "$src" | sed 's/: CustomTestStringConvertible, Sendable/: Sendable/'
    echo '}'
    cat <<'SWIFT'
let out = CommandLine.arguments[1]
for c in BadInputTests.cases {
    guard let spec = c.spec else { continue }
    let dir = out + "/" + String(c.label.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try! spec.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
    for (n, t) in c.files { try! t.write(toFile: dir + "/" + n, atomically: true, encoding: .utf8) }
}
SWIFT
} > "$work/main.swift"
swiftc -O "$work/main.swift" -o "$work/extract"
"$work/extract" "$out"
rm -rf "$work"
