import ArgumentParser
import Foundation
import HotlineApp
import HotlineCore

/// `hotline work`: batch, deliver and follow up what is due.
struct WorkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "work",
        abstract:
            "Decide reports waiting for evidence, send due notices and follow them up: batch, deliver (with retries), re-check URLs, raise lifecycle events.",
        discussion: """
            Runs passes until nothing more is due, prints what it did as JSON and exits; with
            --watch it keeps running, a pass every --interval, until SIGTERM or SIGINT, finishing
            the pass in progress. Every step is stored before the next, so an interrupted run
            resumes where it stopped.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Rule files or directories (default: from the config).")
    var rules: [String] = []

    @Option(help: "Run as if it were this time (RFC 3339), e.g. to preview tomorrow's follow-up.")
    var at: String?

    @Flag(help: "Keep running until SIGTERM or SIGINT.")
    var watch = false

    @Option(help: "Seconds between passes with --watch.")
    var interval: Double = 10

    @Flag(help: "No DNS or RDAP: hosting is not looked up again before sending.")
    var offline = false

    func validate() throws {
        try ArgumentChecks.interval(interval, option: "--interval")
        try ArgumentChecks.time(at)
    }

    static func parseTime(_ text: String) throws -> Date {
        guard let date = RFC3339.parse(text) else {
            Output.err("hotline: --at must be an RFC 3339 time such as 2026-12-01T09:00:00Z, got \(JSONValue.string(text).serialized)\n")
            throw ExitCode(2)
        }
        return date
    }

    func run() throws {
        var overrides = GatewayOverrides(offline: offline)
        if !rules.isEmpty { overrides.rulePaths = rules }
        if let at { overrides.time = try ShiftedTimeSource(start: Self.parseTime(at)) }
        let gateway = try global.assembly(overrides)
        // Broken rules stop the command with exit 1, like `rules check`, before the store is opened.
        let ruleSet = try Output.ruleSet(gateway)
        let store = try global.openStore(gateway)
        // Fault injection for the crash tests: exit at once after the Nth accepted delivery,
        // before it is recorded, the worst moment for a crash.
        var afterDelivery: (@Sendable (OutboxMessage) -> Void)?
        if let text = ProcessInfo.processInfo.environment["HOTLINE_FAULT_EXIT_AFTER_DELIVERIES"], let limit = Int(text) {
            let counter = DeliveryCounter()
            afterDelivery = { _ in if counter.increment() >= limit { _exit(137) } }
        }
        let (worker, evidence, parts) = try Output.setup {
            let (parts, warnings) = try gateway.parts(store: store, ruleSet: ruleSet)
            Output.printDiagnostics(warnings)
            return (gateway.worker(parts: parts, store: store, afterDelivery: afterDelivery), gateway.evidenceStage(parts: parts, store: store), parts)
        }
        let reminders = ContactReminders(assembly: gateway)
        // Reports waiting for evidence are fetched and decided first: their notices are due work too.
        func decideWaiting() throws {
            let pass = try evidence.runUntilIdle(stop: stop.request)
            if pass.didWork { Output.out(JSONValue.object(["evidence": pass.json]).serialized + "\n") }
        }
        let stop = StopSignal()
        guard watch else {
            try decideWaiting()
            if stop.requested { return }
            try reminders.run(store: store, parts: parts)
            let pass = try worker.runUntilIdle()
            warn(pass)
            Output.out(pass.json.serialized + "\n")
            return
        }
        while !stop.requested {
            try decideWaiting()
            try reminders.run(store: store, parts: parts)
            let pass = try worker.runUntilIdle()
            warn(pass)
            if pass.didWork { Output.out(pass.json.serialized + "\n") }
            stop.wait(seconds: interval)
        }
    }
}

/// A warning line on standard error per failed delivery: an outage must be seen, not only
/// counted in `retried`.
private func warn(_ pass: DispatchPass) {
    for problem in pass.problems { Output.err("hotline: warning: \(problem.description)\n") }
}

/// Counts deliveries across the worker's calls.
final class DeliveryCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}

/// SIGTERM and SIGINT end `--watch` after the pass in progress, and a fetch pass once the
/// fetches in flight are done.
final class StopSignal: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    let request = StopRequest()

    init() {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.request.request()
                self.semaphore.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    var requested: Bool { request.isRequested }

    func wait(seconds: Double) { _ = semaphore.wait(timeout: .now() + seconds) }
}
