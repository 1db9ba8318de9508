import Foundation
import HotlineConfig
import HotlineCore
import HotlineHosting
import HotlineStore
import HotlineTesting

/// `make bench`: rule evaluations per second for the shipped rules, and ingest throughput into
/// SQLite for generated reports, end to end without network.
@main
struct HotlineBench {
    static func main() throws {
        // HotlineBench [all|rules|ingest|storage|hashing|pdq-hashing|pdq-lookup|exact|hosting|dispatch|monitor|mail|evidence|vpdq] [REPORTS]
        let arguments = Array(CommandLine.arguments.dropFirst())
        let which = arguments.first ?? "all"
        let reports = arguments.dropFirst().first.flatMap(Int.init) ?? 100_000
        let ruleSet = try loadRules()
        print("Hotline Gateway benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores; one thread each)")
        print("rules: \(ruleSet.rules.count) rules from Rules/, \(ruleSet.digest)")
        if which == "all" || which == "rules" { benchmarkRules(ruleSet) }
        if which == "all" || which == "ingest" { try benchmarkIngest(ruleSet, count: reports) }
        if which == "all" || which == "storage" { try StorageBench.run(ruleSet: ruleSet, count: which == "storage" ? reports : 50_000) }
        if which == "all" || which == "hashing" { try HashingBench.run() }
        if ["pdq-hashing", "pdq-lookup", "exact"].contains(which) { try HashingBench.run(only: which) }
        if which == "all" || which == "hosting" { HostingBench.run() }
        if which == "all" || which == "dispatch" { try DispatchBench.run(ruleSet: ruleSet) }
        if which == "all" || which == "monitor" { try MonitorBench.run(ruleSet: ruleSet) }
        if which == "all" || which == "mail" { try MailBench.run(ruleSet: ruleSet) }
        if which == "all" || which == "evidence" { try EvidenceBench.run(count: which == "evidence" ? min(reports, 10_000) : 10_000) }
        if which == "all" || which == "vpdq" { try VideoBench.run() }
        RatioTable.print()
        print("peak memory (max RSS): \(maxResidentMiB()) MiB")
    }

    static func loadRules() throws -> RuleSet {
        let result = RuleLoader.load(paths: ["Rules"])
        guard let ruleSet = result.ruleSet else {
            throw DiagnosticsError(result.diagnostics)
        }
        return ruleSet
    }

    /// Facts of the kinds the shipped rules see, so every rule and the default are exercised.
    static func sampleFacts() -> [Facts] {
        var generator = SplitMix64(seed: 42)
        let countries = ["NL", "NL", "NL", "DE", "US", "ZZ"]
        let classifications = ["baseline", "A1", "A2", "B1", "B2", "nationally_illegal"]
        let sources = ["public", "crawler", "partner", "member"]
        return (0..<1024).map { index in
            var facts = Facts()
            facts[.reportURL] = .string("https://example.com/\(index).jpg")
            facts[.reportHost] = .string("example.com")
            facts[.reportSourceType] = .string(sources[Int(generator.next() % 4)])
            facts[.caseDuplicate] = .bool(generator.next() % 10 == 0)
            facts[.caseReportCount] = .number(1)
            if generator.next() % 4 != 0 {
                facts[.hashMatch] = .string(generator.next() % 8 == 0 ? "none" : "known")
                facts[.hashClassification] = .string(classifications[Int(generator.next() % 6)])
            }
            if generator.next() % 5 != 0 {
                facts[.hostingCountry] = .string(countries[Int(generator.next() % 6)])
                facts[.hostingCDN] = .bool(generator.next() % 10 == 0)
                if generator.next() % 3 != 0 {
                    facts[.hostingAbuseEmail] = .string("abuse@hoster.example")
                    facts[.hostingContactSource] = .string(generator.next() % 2 == 0 ? "directory" : "rdap")
                    facts[.hostingConfidence] = .number(Double(generator.next() % 100))
                }
                if generator.next() % 2 == 0 { facts[.hostingPartnerHotline] = .string("partner") }
            }
            return facts
        }
    }

    static func benchmarkRules(_ ruleSet: RuleSet) {
        let engine = DecisionEngine(ruleSet: ruleSet)
        let samples = sampleFacts()
        var byRule: [String: Int] = [:]
        for facts in samples { byRule[engine.decide(facts).rule, default: 0] += 1 }
        // Warm up, then measure the best of three rounds.
        var checksum = 0
        for facts in samples { checksum &+= engine.decide(facts).actions.count }
        let rounds = 3
        let iterations = 2_000_000
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = DispatchTime.now()
            for index in 0..<iterations {
                checksum &+= engine.decide(samples[index & 1023]).actions.count
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        let rate = Double(iterations) / best
        let ruleEvaluations = Double(iterations * ruleSet.rules.count) / best
        print("")
        print("rule evaluation (engine.decide over the whole shipped rule set, traces of matched rules included)")
        print("  decisions/s:            \(format(rate))   (goal: >= 1,000,000)")
        print("  ns per decision:        \(String(format: "%.0f", best / Double(iterations) * 1e9))")
        print("  rule conditions/s:      \(format(ruleEvaluations)) (upper bound: every rule's condition counted per decision)")
        print(
            "  outcome mix of samples: \(byRule.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))  [checksum \(checksum % 7)]"
        )
    }

    /// JSON Lines like a busy day's intake: public, crawler and partner reports, one in ten
    /// for a URL already reported, most with a client id, some with hashes.
    static func generateReports(_ count: Int) -> [UInt8] {
        var generator = SplitMix64(seed: 7)
        var text = ""
        text.reserveCapacity(count * 200)
        let sources = [
            #"{"type": "public", "name": "webform"}"#, #"{"type": "crawler", "name": "crawler-a"}"#, #"{"type": "partner", "name": "partner-hotline-a"}"#,
        ]
        for index in 0..<count {
            let path = generator.next() % 10 == 0 && index > 0 ? Int(generator.next() % UInt64(index)) : index
            let host = "host\(path % 5000).example"
            var line =
                #"{"id": "bench-\#(index)", "url": "https://\#(host)/gallery/\#(path)/img.jpg", "received_at": "2026-11-30T10:00:00Z", "source": \#(sources[index % 3])"#
            if index % 4 == 0 {
                line += #", "media_type": "image/jpeg", "hashes": {"md5": "\#(hex(generator.next()))\#(hex(generator.next()))"}"#
            }
            if index % 7 == 0 { line += #", "reporter": "person\#(index)@example.org", "comment": "seen on a forum""# }
            text += line + "}\n"
        }
        return Array(text.utf8)
    }

    static func benchmarkIngest(_ ruleSet: RuleSet, count: Int) throws {
        let directory = NSTemporaryDirectory() + "hotline-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = generateReports(count)
        let store = try SQLiteStore(directory: directory)
        // Hosting from the shipped directory and an empty IP table: offline, as `hotline ingest` runs now.
        let resolver = HostingResolver(directory: ContactDirectory(), ipTable: IPTable([]), homeCountry: "NL")
        let pipeline = IngestPipeline(
            store: store, engine: DecisionEngine(ruleSet: ruleSet), enrichers: [resolver],
            planner: DispatchPlanner(directory: DirectoryRecipients(directory: resolver.directory)))
        var reader = JSONLinesReader()
        var outputBytes = 0
        var outcomes: [String: Int] = [:]
        let batchSize = GatewayConfig.defaults.batchSize
        var transactions = 0
        let start = DispatchTime.now()
        var offset = 0
        // The same path as `hotline ingest`: 256 KiB reads, batches, one transaction each,
        // every result serialized as the output line.
        while offset < input.count {
            let end = min(input.count, offset + 256 * 1024)
            var lines = reader.feed(input[offset..<end])
            offset = end
            if offset == input.count { lines += reader.finish() }
            var index = 0
            while index < lines.count {
                let batch = Array(lines[index..<min(lines.count, index + batchSize)])
                index += batch.count
                transactions += 1
                for result in try pipeline.ingest(batch.map(IngestInput.init)) {
                    outputBytes += result.json.serialized.utf8.count + 1
                    if case .decided(_, _, let decision, _) = result.outcome {
                        outcomes[decision.outcome, default: 0] += 1
                    } else {
                        outcomes["rejected", default: 0] += 1
                    }
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let counts = try store.counts()
        let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/hotline.sqlite")[.size] as? Int) ?? 0
        print("")
        print("ingest into SQLite (\(count) generated reports, JSON Lines in memory -> parse -> canonicalize -> case -> decide -> commit -> output line)")
        print("  reports/s:              \(format(Double(count) / seconds))   (goal: >= 10,000)")
        print("  total:                  \(String(format: "%.2f", seconds)) s in \(transactions) transactions of up to \(batchSize)")
        print(
            "  stored:                 \(counts.reports) reports, \(counts.cases) cases, \(counts.decisions) decisions; database \(size / 1_048_576) MiB (+ WAL)"
        )
        print(
            "  outcomes:               \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); output \(outputBytes / 1024) KiB"
        )
    }

    static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    static func format(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? "\(Int(value))"
    }

    static func maxResidentMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}
