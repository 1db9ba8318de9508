import Foundation

/// The figures that have a peer, collected as the benchmarks run and printed as one table at
/// the end: the gateway's figure, the peer's from the same run, their ratio, and the goal.
enum RatioTable {
    struct Row {
        let measure: String
        let ours: Double
        let peer: String
        let theirs: Double?
        let unit: String
        let goal: String
    }

    nonisolated(unsafe) static var rows: [Row] = []

    /// A row; `theirs` nil when the peer did not run (the row says so, with no ratio).
    static func add(_ measure: String, ours: Double, peer: String, theirs: Double?, unit: String, goal: String) {
        rows.append(Row(measure: measure, ours: ours, peer: peer, theirs: theirs, unit: unit, goal: goal))
    }

    static func print() {
        guard !rows.isEmpty else { return }
        func figure(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.1f", value) }
        let lines = rows.map { row -> [String] in
            [
                row.measure, "\(figure(row.ours)) \(row.unit)", row.theirs.map { "\(figure($0)) \(row.unit)" } ?? "not run",
                row.peer, row.theirs.map { String(format: "%.2fx", row.ours / $0) } ?? "-", row.goal,
            ]
        }
        let header = ["measure", "gateway", "peer", "peer is", "ratio", "goal"]
        let widths = (0..<header.count).map { column in ([header] + lines).map { $0[column].count }.max() ?? 0 }
        Swift.print("")
        Swift.print("Side by side (one run, this machine):")
        for line in [header] + lines {
            Swift.print("  " + zip(line, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: " | "))
        }
        // `make bench` collects these with the load scripts' rows into one closing table.
        if let path = ProcessInfo.processInfo.environment["BENCH_RATIOS"] {
            let earlier = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            try? (earlier + lines.map { $0.joined(separator: "\t") + "\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
