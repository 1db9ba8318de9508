import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore
import HotlineHosting

/// `hotline ingest [FILE|-]`: store and decide reports from JSON Lines.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store and decide reports from a JSON Lines file or standard input.",
        discussion: """
            Prints one JSON object per input line once the report is durable:
            {"line","report_id","case_id","outcome","rule","actions","rules_version"}, or
            {"line","report_id","case_id","outcome":"pending"} for a report decided once the gateway
            has fetched and hashed its URL (with --wait, its decision line follows when it is in), or
            {"line","outcome":"rejected","error",...} for a line that was refused.
            A summary goes to standard error. Exits 0 when every line was decided or rejected with a reason.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Rule files or directories (default: from the config).")
    var rules: [String] = []

    @OptionGroup var resolver: ResolverOptions

    @Option(help: ArgumentHelp("Decide as if it were this time (RFC 3339); for previews and tests.", visibility: .hidden))
    var at: String?

    @Flag(
        help:
            "Count the hashes in the input as evidence, as from a partner's feed the operator vouches for (recorded in the audit log); without it they are claims the gateway checks."
    )
    var trustHashes = false

    @Flag(help: "Wait for the decisions of reports that wait for evidence: fetch and decide them here, then print their decision lines.")
    var wait = false

    @Argument(help: "JSON Lines file, or - for standard input.")
    var input: String = "-"

    func validate() throws { try ArgumentChecks.time(at) }

    func run() throws {
        var overrides = try resolver.apply()
        if !rules.isEmpty { overrides.rulePaths = rules }
        if let at { overrides.time = try ShiftedTimeSource(start: WorkCommand.parseTime(at)) }
        let gateway = try global.assembly(overrides)
        // Broken rules stop the command with exit 1, like `rules check`, before the store is opened.
        let ruleSet = try Output.ruleSet(gateway)
        let store = try global.openStore(gateway)
        let descriptor: Int32
        if input == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = open(input, O_RDONLY)
            guard descriptor >= 0 else {
                Output.err("hotline: cannot open \(input): \(String(cString: strerror(errno)))\n")
                throw ExitCode(2)
            }
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        // The same parts as `serve`: rules, directory, templates checked against the rules,
        // hash lists, resolver and planner.
        let parts = try Output.setup {
            let (parts, warnings) = try gateway.parts(store: store, ruleSet: ruleSet)
            Output.printDiagnostics(warnings)
            return parts
        }
        // With --wait the command waits for every decision anyway: a report that is not
        // fetched is decided in its batch, its host looked up with the batch's others.
        let pipeline = gateway.pipeline(parts: parts, store: store, channel: "file", actor: GlobalOptions.actor, trusted: trustHashes, lookupsInline: wait)
        let batchSize = gateway.config.batchSize
        var summary = IngestSummary()
        var waiting: [(line: Int, reportID: String)] = []
        let started = Date()
        var reader = JSONLinesReader()
        // A read returns what is there, so a large buffer never holds back interactive input;
        // for a file it gives the look-ahead below whole batches to work on.
        var buffer = [UInt8](repeating: 0, count: 4 << 20)
        var pending: [IngestLine] = []
        // The next batch is parsed, and with --wait and DNS or RDAP on its hosts are looked up,
        // on another thread while this one is stored: the two cores overlap, and the lookups
        // only warm the resolver's cache, so nothing is stored or acknowledged any earlier.
        let lookups: HostingResolver? = wait && gateway.hostingUsesNetwork ? parts.resolver : nil
        let lookAhead = DispatchQueue(label: "hotline.ingest.look-ahead")
        // A batch's answer lines are written on another thread while the next is stored (in
        // order: one serial queue); each is written only after its batch committed.
        let output = DispatchQueue(label: "hotline.ingest.output")
        func prepare(_ batch: [IngestLine]) -> (done: DispatchGroup, inputs: PreparedInputs) {
            let done = DispatchGroup()
            let prepared = PreparedInputs()
            lookAhead.async(group: done) {
                prepared.inputs = batch.map(IngestInput.init)
                guard let lookups else { return }
                let decidedNow = prepared.inputs.compactMap { try? $0.submission.get() }.filter { !pipeline.defers($0) }
                lookups.prepare(decidedNow.map(\.url))
            }
            return (done, prepared)
        }

        // The batch after the one being stored is decided on a third thread meanwhile (see
        // IngestPipeline.DecidedAhead), which waits for its parse and lookups; those start
        // two batches ahead, so that they are mostly done by then.
        var ahead: IngestPipeline<AnyReportStore>.DecidedAhead?
        func flush(_ lines: [IngestLine]) throws {
            let batches = stride(from: 0, to: lines.count, by: batchSize).map { Array(lines[$0..<min(lines.count, $0 + batchSize)]) }
            var upcoming = batches.first.map(prepare)
            var following = batches.count > 1 ? prepare(batches[1]) : nil
            for (number, batch) in batches.enumerated() {
                guard let current = upcoming else { break }
                if ahead == nil { current.done.wait() }
                upcoming = following
                following = number + 2 < batches.count ? prepare(batches[number + 2]) : nil
                let results: [IngestResult]
                do {
                    var next: (@Sendable () -> [IngestInput])?
                    if let (done, prepared) = upcoming {
                        next = {
                            done.wait()
                            return prepared.inputs
                        }
                    }
                    let stored = try ahead.map { try pipeline.ingest($0, next: next) } ?? pipeline.ingest(current.inputs.inputs, next: next)
                    results = stored.results
                    ahead = stored.next
                } catch {
                    // Nothing of this batch was stored: say so per line, then stop, because
                    // the following batches would fail the same way.
                    output.sync {}
                    for line in batch {
                        Output.out(
                            IngestResult(line: line.number, outcome: .rejected(ReportError(code: "storage", message: "not stored: \(error)"))).json.serialized
                                + "\n")
                    }
                    Output.err(
                        "hotline: storage failed at lines \(batch.first!.number)-\(batch.last!.number): \(error); lines after \(batch.first!.number - 1) were not stored\n"
                    )
                    throw ExitCode(1)
                }
                for result in results {
                    summary.add(result)
                    if case .pending(let reportID, _, _) = result.outcome { waiting.append((result.line, reportID)) }
                }
                output.async {
                    var text: [UInt8] = []
                    for result in results {
                        result.json.write(to: &text)
                        text.append(UInt8(ascii: "\n"))
                    }
                    Output.out(text)
                }
            }
        }

        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                output.sync {}  // the lines stored so far are answered
                Output.err("hotline: read error: \(String(cString: strerror(errno)))\n")
                throw ExitCode(2)
            }
            if count == 0 { break }
            pending.append(contentsOf: reader.feed(buffer[0..<count]))
            // Process what is complete: files fill whole batches, interactive input is
            // answered line by line.
            try flush(pending)
            pending.removeAll(keepingCapacity: true)
        }
        try flush(reader.finish())
        output.sync {}
        if wait && !waiting.isEmpty { try decideWaiting(waiting, gateway: gateway, parts: parts, store: store, summary: &summary) }
        summary.printReport(rulesDigest: ruleSet.digest, seconds: Date().timeIntervalSince(started))
    }

    /// Runs the fetch service here until the reports of `waiting` are decided, and prints
    /// their decision lines under their input lines.
    private func decideWaiting(
        _ waiting: [(line: Int, reportID: String)], gateway: GatewayAssembly, parts: GatewayParts, store: any GatewayStorage, summary: inout IngestSummary
    ) throws {
        let stage = gateway.evidenceStage(parts: parts, store: store)
        var left = waiting
        while !left.isEmpty {
            let pass = try stage.runUntilIdle()
            var text: [UInt8] = []
            left = try left.filter { entry in
                guard let decision = try store.decisions(reportID: entry.reportID).last, let caseID = try store.caseID(reportID: entry.reportID) else {
                    return true
                }
                let result = IngestResult(line: entry.line, outcome: .decided(reportID: entry.reportID, caseID: caseID, decision: decision, existing: false))
                summary.decidedLater(decision)
                result.json.write(to: &text)
                text.append(UInt8(ascii: "\n"))
                return false
            }
            Output.out(text)
            // Claimed by another instance (or a crashed one whose lease runs): wait for it.
            if !left.isEmpty && !pass.didWork { Thread.sleep(forTimeInterval: 1) }
        }
    }
}

/// Counts for the summary on standard error.
struct IngestSummary {
    var lines = 0
    var newReports = 0
    var existing = 0
    var rejected = 0
    var pending = 0
    var outcomes: [String: Int] = [:]

    mutating func add(_ result: IngestResult) {
        lines += 1
        switch result.outcome {
        case .decided(_, _, let decision, let isExisting):
            if isExisting { existing += 1 } else { newReports += 1 }
            outcomes[decision.outcome, default: 0] += 1
        case .pending(_, _, let isExisting):
            if isExisting { existing += 1 } else { newReports += 1 }
            pending += 1
        case .rejected:
            rejected += 1
        }
    }

    /// A report that waited for evidence was decided.
    mutating func decidedLater(_ decision: DecisionSummary) {
        pending -= 1
        outcomes[decision.outcome, default: 0] += 1
    }

    func printReport(rulesDigest: String, seconds: Double) {
        let outcomeText = outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let rate = seconds > 0 ? Int(Double(lines) / seconds) : lines
        Output.err(
            "ingest: \(lines) lines: \(newReports) new report\(newReports == 1 ? "" : "s"), \(existing) already known by client id, \(rejected) rejected"
                + (pending > 0 ? ", \(pending) waiting for evidence" : ""))
        Output.err(outcomeText.isEmpty ? "\n" : "; outcomes: \(outcomeText)\n")
        Output.err("ingest: rules \(rulesDigest); \(String(format: "%.2f", seconds)) s, \(rate) lines/s\n")
    }
}

/// A batch's parsed inputs, filled on the look-ahead queue and read after its group is done.
final class PreparedInputs: @unchecked Sendable {
    var inputs: [IngestInput] = []
}
