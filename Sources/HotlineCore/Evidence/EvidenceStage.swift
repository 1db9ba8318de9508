import Foundation

/// What one pass of the fetch service did.
public struct EvidencePass: Hashable, Sendable {
    /// Reports claimed.
    public var claimed = 0
    /// Reports decided.
    public var decided = 0
    /// Reports another instance decided first (nothing stored for them here).
    public var conflicts = 0
    /// Claims given back unworked because the service was stopping.
    public var released = 0
    /// Fetches by outcome (`ok`, `gone`, `refused`, `failed`, `skipped`).
    public var fetches: [String: Int] = [:]
    /// Files hashed.
    public var mediaHashed = 0
    /// Bytes read.
    public var bytes = 0

    /// Creates an empty pass.
    public init() {}

    /// Whether anything was claimed.
    public var didWork: Bool { claimed > 0 }

    /// Adds another pass's counts.
    public mutating func add(_ other: EvidencePass) {
        claimed += other.claimed
        decided += other.decided
        conflicts += other.conflicts
        released += other.released
        for (key, value) in other.fetches { fetches[key, default: 0] += value }
        mediaHashed += other.mediaHashed
        bytes += other.bytes
    }

    /// `{"claimed","decided","conflicts","released","fetches":{…},"media_hashed","bytes"}`.
    public var json: JSONValue {
        .object([
            "claimed": .number(Double(claimed)), "decided": .number(Double(decided)), "conflicts": .number(Double(conflicts)),
            "released": .number(Double(released)),
            "fetches": .object(JSONObject(fetches.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.number(Double($0.value))) })),
            "media_hashed": .number(Double(mediaHashed)), "bytes": .number(Double(bytes)),
        ])
    }
}

/// The fetch service's state machine: claims reports that wait for evidence, fetches and
/// hashes what each URL serves (several at once, a few per host), looks up hosting, and
/// decides each report on what it observed, in one transaction per pass. A report whose task
/// another instance completed first is skipped, so nothing is decided twice; a claim that
/// lapses (a crash) is taken up again by the next pass.
public struct EvidenceStage: Sendable {
    /// Where the reports and their tasks are.
    public let store: any GatewayStorage
    /// Fetches and hashes.
    public let gatherer: any EvidenceGathering
    /// The rules in force.
    public let engine: DecisionEngine
    /// The known-hash lists.
    public let hashMatcher: (any HashMatching)?
    /// Hosting and the other facts that need lookups, in order.
    public let enrichers: [any ReportEnricher]
    /// Stores each decision with its dispatch items.
    public let recorder: CaseDecisionRecorder
    /// Which reports are fetched, and how hard.
    public let policy: EvidencePolicy
    /// The clock.
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator
    /// Who decides, for the audit log.
    public let actor: String
    /// What goes first: each write of a pass (the claim, the decisions) waits until it is idle,
    /// at most ``yieldLimit``. A report's answer then does not wait behind a batch of
    /// decisions nobody is waiting for; the backlog is worked between bursts.
    public var foreground: (any ForegroundWork)?
    /// The longest a write waits for ``foreground``: a few intake transactions, short against
    /// a claim's lease.
    public var yieldLimit: TimeInterval = 0.05

    /// Creates the stage.
    public init(
        store: any GatewayStorage, gatherer: any EvidenceGathering, engine: DecisionEngine, hashMatcher: (any HashMatching)?, enrichers: [any ReportEnricher],
        planner: DispatchPlanner?, policy: EvidencePolicy, time: any TimeSource = SystemTimeSource(), ids: any IDGenerator = UUIDv7Generator(),
        actor: String = "system:evidence"
    ) {
        self.store = store
        self.gatherer = gatherer
        self.engine = engine
        self.hashMatcher = hashMatcher
        self.enrichers = enrichers
        self.recorder = CaseDecisionRecorder(planner: planner)
        self.policy = policy
        self.time = time
        self.ids = ids
        self.actor = actor
    }

    /// One pass: claims up to ``EvidencePolicy/batchSize`` reports and decides them. When
    /// `stop` is requested, fetches in flight finish and are decided, and the claims not yet
    /// reached are given back.
    public func runPass(stop: StopRequest? = nil) throws -> EvidencePass {
        var pass = EvidencePass()
        foreground?.waitUntilIdle(atMost: yieldLimit)
        let now = time.now()
        let tasks = try store.claimEvidenceTasks(at: now, limit: policy.batchSize, leaseUntil: now.addingTimeInterval(policy.lease))
        guard !tasks.isEmpty else { return pass }
        pass.claimed = tasks.count
        var work: [(task: EvidenceTask, report: Report)] = []
        for task in tasks {
            // A task whose report is gone (never, short of manual deletion) is left to lapse.
            if let report = try store.report(id: task.reportID) { work.append((task, report)) }
        }
        let gathered = gather(work.map { ($0.report, $0.task.facts.string(.reportSourceChannel) ?? "file") }, stop: stop)
        let unreached = gathered.indices.filter { gathered[$0] == nil }
        if !unreached.isEmpty {
            try store.releaseEvidenceTasks(reportIDs: unreached.map { work[$0].task.reportID })
            pass.released = unreached.count
        }
        let reached = gathered.indices.filter { gathered[$0] != nil }
        work = reached.map { work[$0] }
        let evidence = reached.map { gathered[$0]! }
        for enricher in enrichers { enricher.prepare(work.map(\.report.url)) }
        foreground?.waitUntilIdle(atMost: yieldLimit)
        let decidedAt = time.now()
        try store.writeErased { transaction in
            for (index, entry) in work.enumerated() {
                guard try transaction.completeEvidence(reportID: entry.task.reportID, at: decidedAt) else {
                    pass.conflicts += 1
                    continue
                }
                let found = evidence[index]
                pass.fetches[found.status.rawValue, default: 0] += 1
                pass.mediaHashed += found.hashedMedia.count
                pass.bytes += found.bytes
                try decide(entry.task, entry.report, evidence: found, at: decidedAt, in: transaction)
                pass.decided += 1
            }
            try transaction.appendAudit(
                AuditEntry(
                    at: decidedAt, actor: actor, event: "evidence.batch",
                    detail: [
                        "decided": .number(Double(pass.decided)), "conflicts": .number(Double(pass.conflicts)),
                        "media_hashed": .number(Double(pass.mediaHashed)), "rules_version": .string(engine.ruleSet.digest),
                    ]))
        }
        return pass
    }

    /// Passes until nothing is left to claim now (or `stop` is requested).
    public func runUntilIdle(stop: StopRequest? = nil) throws -> EvidencePass {
        var total = EvidencePass()
        while stop?.isRequested != true {
            let pass = try runPass(stop: stop)
            total.add(pass)
            if !pass.didWork { break }
        }
        return total
    }

    private func decide(_ task: EvidenceTask, _ report: Report, evidence: FetchEvidence, at now: Date, in transaction: some ReportStoreTransaction) throws {
        var facts = task.facts
        facts[.reportAge] = .duration(TimeSpan(seconds: max(0, Int(now.timeIntervalSince(report.receivedAt)))))
        evidence.apply(to: &facts)
        let observed = evidence.media.isEmpty ? nil : hashMatcher?.match(observed: evidence.media)
        // The lists in force first; an external matcher's match counts where they found nothing.
        let externalFile = evidence.media.first { $0.external?.result != nil }
        let external = externalFile?.external?.result
        let useExternal = external != nil && (observed == nil || observed?.kind == HashMatchResult.Kind.none)
        if useExternal, let external {
            external.apply(to: &facts, source: .external)
        } else if let observed, observed.kind != .none || !task.claimsAreEvidence {
            observed.apply(to: &facts, source: .observed)
        } else if task.claimsAreEvidence, let claimed = hashMatcher?.match(report.hashes) {
            claimed.apply(to: &facts, source: .reported)
        } else {
            observed?.apply(to: &facts, source: .observed)
        }
        for enricher in enrichers { enricher.enrich(report, facts: &facts) }
        let verdict = engine.decide(facts)
        let decision = Decision(id: ids.next(), reportID: report.id, caseID: task.caseID, verdict: verdict, facts: facts, decidedAt: now)
        // What the gateway hashed is the case's content from now on: the same file under
        // another URL meets it there.
        let content = evidence.media.flatMap { medium in medium.digests + (medium.pdq.map { [(HashAlgorithm.pdq, $0.description)] } ?? []) }
        if !content.isEmpty { try transaction.addCaseHashes(caseID: task.caseID, hashes: content) }
        let observedHashes = ObservedHash.of(evidence.media, reportID: report.id)
        if !observedHashes.isEmpty { try transaction.addObservedHashes(observedHashes, caseID: task.caseID, at: now) }
        // The notice names the file the gateway found: the one that matched, else the first
        // medium it hashed; the reporter's hashes only when it hashed nothing.
        var subjectHashes = report.hashes.hashValues
        let matched = observed.flatMap { result in
            result.kind == .known || result.kind == .similar
                ? evidence.media.first { hashMatcher?.match(observed: [$0])?.kind == result.kind } : nil
        }
        if let file = (useExternal ? externalFile : nil) ?? matched ?? evidence.hashedMedia.first {
            subjectHashes = ["md5": file.md5, "sha1": file.sha1, "sha256": file.sha256]
        }
        let subject = ReportedURL(
            reportID: report.id, caseID: task.caseID, decisionID: decision.id, url: report.url.canonical, host: report.url.host, hashes: subjectHashes)
        try recorder.record(
            decision, items: recorder.items(for: verdict.actions, subject: subject, facts: facts, now: now), closing: nil, at: now, in: transaction)
        // Closing the report that opened its case closes the case, as at intake.
        if verdict.outcome == .close && facts.bool(.caseDuplicate) != true { try transaction.closeCase(task.caseID, at: now) }
    }

    /// Fetches for every report (the ones whose source or channel is not fetched are
    /// skipped), at most ``EvidencePolicy/concurrency`` at once and ``EvidencePolicy/perHost``
    /// per host; results in the order of `reports`, `nil` for those not reached before `stop`.
    func gather(_ reports: [(report: Report, channel: String)], stop: StopRequest? = nil) -> [FetchEvidence?] {
        let results = LockedSlots<FetchEvidence>(count: reports.count)
        let limiter = HostLimiter(perHost: max(1, policy.perHost))
        let next = NextIndex()
        // Fetches wait on the network, not the CPU: threads of their own, not the
        // processor-bound pool of concurrentPerform.
        WorkerThreads.run(max(1, min(policy.concurrency, reports.count))) {
            while stop?.isRequested != true, let index = next.take(below: reports.count) {
                let (report, channel) = reports[index]
                guard policy.fetches(report.source.kind, channel: channel) else {
                    results.put(index, .skipped("fetching is off for \(report.source.kind.rawValue) reports by \(channel)"))
                    continue
                }
                limiter.acquire(report.url.host)
                let found = gatherer.gather(report.url)
                limiter.release(report.url.host)
                results.put(index, found)
            }
        }
        return results.all
    }
}

/// Runs `body` on `count` threads of their own and waits for all of them.
enum WorkerThreads {
    static func run(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            let thread = Thread {
                body()
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }
}

/// The next index for a pool of workers.
private final class NextIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}

/// At most `perHost` fetches to one host at a time; the others wait their turn.
final class HostLimiter: @unchecked Sendable {
    private let condition = NSCondition()
    private var active: [String: Int] = [:]
    private let perHost: Int

    init(perHost: Int) { self.perHost = perHost }

    func acquire(_ host: String) {
        condition.lock()
        while active[host, default: 0] >= perHost { condition.wait() }
        active[host, default: 0] += 1
        condition.unlock()
    }

    func release(_ host: String) {
        condition.lock()
        active[host, default: 0] -= 1
        condition.broadcast()
        condition.unlock()
    }
}
