import Foundation

/// One report for the pipeline: its position in the input (the line of a file, the index
/// in a request, the part of a message) and the validated submission, or why it could not
/// be read. The adapters that read files, HTTP bodies and mail make these; the pipeline never
/// sees bytes.
public struct IngestInput: Sendable {
    /// 1-based position in the input.
    public var line: Int
    /// The report, or why it was refused before it reached the pipeline.
    public var submission: Result<ReportSubmission, ReportError>

    /// Creates an input.
    public init(line: Int, submission: Result<ReportSubmission, ReportError>) {
        self.line = line
        self.submission = submission
    }

    /// A valid report at `line`.
    public init(line: Int, _ submission: ReportSubmission) {
        self.init(line: line, submission: .success(submission))
    }
}

/// What happened to one input line.
public struct IngestResult: Hashable, Sendable {
    /// What happened.
    public enum Outcome: Hashable, Sendable {
        /// Stored and decided. `existing` when the client id was seen before and this is
        /// that earlier report and its decision.
        case decided(reportID: String, caseID: String, decision: DecisionSummary, existing: Bool)
        /// Stored; decided once the gateway's own evidence is in (the fetch service).
        /// `existing` as for `decided`.
        case pending(reportID: String, caseID: String, existing: Bool)
        /// Refused; nothing was stored.
        case rejected(ReportError)
    }

    /// 1-based input line.
    public var line: Int
    /// What happened.
    public var outcome: Outcome
    /// Hints of the report that were malformed and dropped (the report itself was taken).
    public var warnings: [ReportError]

    /// Creates a result.
    public init(line: Int, outcome: Outcome, warnings: [ReportError] = []) {
        self.line = line
        self.outcome = outcome
        self.warnings = warnings
    }

    /// The line printed for this result: `{"line", …}`, the outcome's fields and the warnings.
    public var json: JSONValue {
        .object(JSONObject([("line", .number(Double(line)))] + outcome.json(warnings: warnings).members))
    }
}

extension IngestResult.Outcome {
    /// The outcome as every channel answers it:
    /// `{"report_id","case_id","outcome","rule","actions","rules_version"}` (and
    /// `"existing": true` for a client id seen before), or
    /// `{"outcome":"rejected","error","code","field"}`.
    public var json: JSONObject {
        var object = JSONObject()
        switch self {
        case .decided(let reportID, let caseID, let decision, let existing):
            object.append("report_id", .string(reportID))
            object.append("case_id", .string(caseID))
            object.append("outcome", .string(decision.outcome))
            object.append("rule", .string(decision.rule))
            object.append("actions", decision.actions)
            object.append("rules_version", .string(decision.rulesDigest))
            if existing { object.append("existing", .bool(true)) }
        case .pending(let reportID, let caseID, let existing):
            object.append("report_id", .string(reportID))
            object.append("case_id", .string(caseID))
            object.append("outcome", .string("pending"))
            if existing { object.append("existing", .bool(true)) }
        case .rejected(let error):
            object.append("outcome", .string("rejected"))
            object.append("error", .string(error.message))
            object.append("code", .string(error.code))
            if let field = error.field { object.append("field", .string(field)) }
        }
        return object
    }

    /// The outcome with `"warnings": [{"field","code","message"}]` when hints were dropped.
    public func json(warnings: [ReportError]) -> JSONObject {
        var object = json
        if case .rejected = self { return object }
        if !warnings.isEmpty {
            object.append(
                "warnings",
                .array(
                    warnings.map { warning in
                        .object(
                            JSONObject(
                                [("code", JSONValue.string(warning.code)), ("message", .string(warning.message))]
                                    + (warning.field.map { [("field", JSONValue.string($0))] } ?? [])))
                    }))
        }
        return object
    }
}

/// Turns lines of JSON into stored, decided reports: parse, canonicalize, group into cases,
/// decide, and store everything of a batch in one transaction.
///
/// Results are returned only after the transaction committed, so a caller that prints them
/// never acknowledges a report that is not durable.
public struct IngestPipeline<Store: ReportStore>: Sendable {
    /// Where reports go.
    public let store: Store
    /// The rules in force.
    public let engine: DecisionEngine
    /// The clock.
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator
    /// How the reports arrived (`file`, `api`, `mail`), a fact rules can test.
    public let channel: String
    /// Who runs the ingest, for the audit log.
    public let actor: String
    /// Who hands these reports in, as the gateway established it: the namespace of their
    /// client ids (a token's organisation, not the `source.name` in the body).
    public let submitter: Submitter
    /// Checks report hashes against the known-hash lists; `nil` leaves `hash.*` absent.
    public let hashMatcher: (any HashMatching)?
    /// Add further facts (hosting, registrar), in order.
    public let enrichers: [any ReportEnricher]
    /// Stores each decision with the dispatch items it asks for.
    public let recorder: CaseDecisionRecorder
    /// Which reports wait for the gateway's own evidence instead of being decided at once.
    public let evidence: EvidencePolicy
    /// Whether hosting is looked up over the network (DNS, RDAP): then every report is
    /// decided by the fetch service, so that intake never waits on a lookup.
    public let deferLookups: Bool
    /// Whether the submitter of this batch is trusted to report hashes as evidence (a partner
    /// hotline's token the config names): then reported hashes can decide when nothing
    /// observed does.
    public let claimsAreEvidence: Bool

    /// Creates a pipeline.
    public init(
        store: Store, engine: DecisionEngine, hashMatcher: (any HashMatching)? = nil, enrichers: [any ReportEnricher] = [], planner: DispatchPlanner? = nil,
        time: any TimeSource = SystemTimeSource(), ids: any IDGenerator = UUIDv7Generator(), channel: String = "file", actor: String = "system",
        submitter: Submitter? = nil, evidence: EvidencePolicy = EvidencePolicy(), deferLookups: Bool = false, claimsAreEvidence: Bool = false
    ) {
        self.store = store
        self.engine = engine
        self.hashMatcher = hashMatcher
        self.enrichers = enrichers
        self.recorder = CaseDecisionRecorder(planner: planner)
        self.time = time
        self.ids = ids
        self.channel = channel
        self.actor = actor
        self.submitter = submitter ?? .operatorFile(actor)
        self.evidence = evidence
        self.deferLookups = deferLookups
        self.claimsAreEvidence = claimsAreEvidence
    }

    /// Whether `submission` is stored now and decided by the fetch service.
    public func defers(_ submission: ReportSubmission) -> Bool {
        deferLookups || evidence.fetches(submission.source.kind, channel: channel)
    }

    /// Processes a batch. Refused inputs are answered one by one; accepted ones are stored
    /// and decided in one transaction. Throws only when that transaction fails, in which case
    /// nothing of the batch was stored.
    ///
    /// With several writers at once (PostgreSQL), reports whose URL, client id or content
    /// hash another instance's transaction holds, and the reports after them that share a key
    /// with them, go into a second transaction that waits for those keys; the rest do not
    /// wait. Nothing is answered before both committed; when the second fails, the first
    /// stays stored and this throws (a retry finds those reports by their client ids).
    public func ingest(_ inputs: [IngestInput]) throws -> [IngestResult] {
        try ingest(inputs, decidedAhead: nil, next: nil).results
    }

    /// ``ingest(_:)``, overlapped with the next batch: once this batch is decided, the next is
    /// decided on another thread while this one writes and commits
    /// (``ReportStoreTransaction/follow()``). `next` gives its inputs, on that thread, and
    /// may wait for them (a parse still running). Store that batch with
    /// ``ingest(_:next:)-(DecidedAhead,_)`` when this returns a ``DecidedAhead``, and with
    /// this method when not. What is stored and answered is the same either way, and still
    /// only after the commit.
    public func ingest(_ inputs: [IngestInput], next: (@Sendable () -> [IngestInput])?) throws -> (results: [IngestResult], next: DecidedAhead?) {
        try ingest(inputs, decidedAhead: nil, next: next)
    }

    /// Stores the batch `ahead` decided, in a transaction of its own, if nothing but the
    /// transaction it was decided after has written since (``ReportStoreTransaction/adopt(_:)``);
    /// otherwise decides it again there. `next` as for ``ingest(_:next:)-([IngestInput],_)``.
    public func ingest(_ ahead: DecidedAhead, next: (@Sendable () -> [IngestInput])?) throws -> (results: [IngestResult], next: DecidedAhead?) {
        try ingest(ahead.decidedInputs(), decidedAhead: ahead, next: next)
    }

    private func ingest(_ inputs: [IngestInput], decidedAhead ahead: DecidedAhead?, next: (@Sendable () -> [IngestInput])?) throws -> (
        results: [IngestResult], next: DecidedAhead?
    ) {
        let accepted = Self.accepted(inputs)
        if accepted.isEmpty {
            return (inputs.map { IngestResult(line: $0.line, outcome: .rejected(Self.error($0))) }, nil)
        }
        let decided = ahead?.decided()
        // Slow work (lookups) only for the reports decided now; the others wait for the fetch service.
        if decided == nil { prepareEnrichers(accepted.map(\.submission)) }
        var outcomes = [IngestResult.Outcome?](repeating: nil, count: accepted.count)
        var remaining = Array(accepted.indices)
        var part = 0
        var following: DecidedAhead?
        while !remaining.isEmpty {
            part += 1
            let indices = remaining
            // The first part takes the keys that are free; the second waits for the rest.
            let wait = part > 1
            // The first entry that stores anything counts the refused lines.
            let rejected = outcomes.contains { $0 != nil } ? 0 : inputs.count - accepted.count
            let stored: DecidedPart = try store.write { transaction in
                let stored: DecidedPart
                if part == 1, let decided, try transaction.adopt(decided.transaction) {
                    stored = decided.part
                    ahead?.adopted = true
                } else {
                    stored = try decidePart(accepted, indices, part: part, wait: wait, rejected: rejected, lines: inputs, in: transaction)
                }
                // One part only: with a second, the keys are contended and the next batch
                // could not follow this one alone.
                if stored.later.isEmpty, let next { following = try decideAhead(next, after: transaction) }
                return stored
            }
            for (index, outcome) in stored.outcomes { outcomes[index] = outcome }
            remaining = stored.later
        }
        var next = outcomes.makeIterator()
        let results = inputs.map { input in
            if case .success(let submission) = input.submission, let outcome = next.next() ?? nil {
                return IngestResult(line: input.line, outcome: outcome, warnings: submission.warnings)
            }
            return IngestResult(line: input.line, outcome: .rejected(Self.error(input)))
        }
        return (results, following)
    }

    /// What one transaction decided: outcomes by index into the accepted inputs, and the
    /// indices it left for a second transaction (their keys were busy).
    struct DecidedPart: Sendable {
        var outcomes: [(Int, IngestResult.Outcome)]
        var later: [Int]
    }

    private func prepareEnrichers(_ submissions: [ReportSubmission]) {
        let decidedNow = submissions.filter { !defers($0) }.map(\.url)
        if !decidedNow.isEmpty { for enricher in enrichers { enricher.prepare(decidedNow) } }
    }

    /// Starts deciding `next` on another thread, in a transaction that follows `transaction`;
    /// nil when the store cannot.
    private func decideAhead(_ next: @escaping @Sendable () -> [IngestInput], after transaction: Store.Transaction) throws -> DecidedAhead? {
        guard let detached = try transaction.follow() else { return nil }
        // Handed over: only the deciding thread touches it until it leaves `done`.
        let ahead = DecidedAhead(transaction: detached)
        DecidedAhead.queue.async(group: ahead.done) {
            let inputs = next()
            ahead.inputs = inputs
            ahead.result = Result {
                let accepted = Self.accepted(inputs)
                // Nothing to store: the batch is answered without a transaction.
                guard !accepted.isEmpty else { return DecidedPart(outcomes: [], later: []) }
                prepareEnrichers(accepted.map(\.submission))
                return try decidePart(
                    accepted, Array(accepted.indices), part: 1, wait: false, rejected: inputs.count - accepted.count, lines: inputs, in: ahead.transaction)
            }
        }
        return ahead
    }

    /// Decides the reports `indices` of `accepted` in `transaction`, with the batch's audit entry.
    private func decidePart(
        _ accepted: [(line: Int, submission: ReportSubmission)], _ indices: [Int], part: Int, wait: Bool, rejected: Int, lines inputs: [IngestInput],
        in transaction: Store.Transaction
    ) throws -> DecidedPart {
        var now = indices
        var later: [Int] = []
        // SQL stores lock (PostgreSQL) and read them ahead; the in-memory one looks up as asked.
        if store.usesIntakeKeys {
            let submissions = indices.map { accepted[$0].submission }
            let busy = try transaction.prepare(Self.intakeKeys(submissions, submitter: submitter, hashes: claimsAreEvidence), wait: wait)
            if !busy.isEmpty { (now, later) = Self.split(indices, submissions, busy: busy, submitter: submitter, hashes: claimsAreEvidence) }
        }
        var results: [(Int, IngestResult.Outcome)] = []
        results.reserveCapacity(now.count)
        var existingReports = 0
        for index in now {
            let outcome = try decide(accepted[index].submission, in: transaction)
            switch outcome {
            case .decided(_, _, _, true), .pending(_, _, true): existingReports += 1
            default: break
            }
            results.append((index, outcome))
        }
        var detail: JSONObject = [
            "channel": .string(channel),
            "first_line": .number(Double(inputs.first?.line ?? 0)),
            "last_line": .number(Double(inputs.last?.line ?? 0)),
            "new_reports": .number(Double(now.count - existingReports)),
            "existing_reports": .number(Double(existingReports)),
            "rejected": .number(Double(rejected)),
            "rules_version": .string(engine.ruleSet.digest),
            "hashes_trusted": .bool(claimsAreEvidence),
        ]
        // A batch stored in two parts says so in both entries, and how many wait.
        if wait || !later.isEmpty {
            detail["part"] = .number(Double(part))
            if !later.isEmpty { detail["left_for_next_part"] = .number(Double(later.count)) }
        }
        if !now.isEmpty { try transaction.appendAudit(AuditEntry(at: time.now(), actor: actor, event: "ingest.batch", detail: detail)) }
        return DecidedPart(outcomes: results, later: later)
    }

    /// `indices` (of the reports `submissions`, in the same order) in two: those whose keys
    /// are all free, and those with a busy key or a key of an earlier report left for later
    /// (so that reports of one URL, client id or hash keep their order across the two
    /// transactions).
    static func split(
        _ indices: [Int], _ submissions: [ReportSubmission], busy: Set<String>, submitter: Submitter, hashes: Bool
    ) -> (now: [Int], later: [Int]) {
        var blocked = busy
        var now: [Int] = []
        var later: [Int] = []
        for (index, submission) in zip(indices, submissions) {
            let names = intakeKeys([submission], submitter: submitter, hashes: hashes).lockNames
            if names.contains(where: blocked.contains) {
                later.append(index)
                blocked.formUnion(names)
            } else {
                now.append(index)
            }
        }
        return (now, later)
    }

    /// The inputs that were read as reports, with their lines.
    private static func accepted(_ inputs: [IngestInput]) -> [(line: Int, submission: ReportSubmission)] {
        inputs.compactMap { input in (try? input.submission.get()).map { (line: input.line, submission: $0) } }
    }

    private static func error(_ input: IngestInput) -> ReportError {
        if case .failure(let error) = input.submission { return error }
        return ReportError(code: "internal", message: "not decided")
    }

    /// What a batch looks up by value: its URLs, client ids and, when reported hashes join
    /// cases (`hashes`: a trusted submitter), its content hashes, each once. Untrusted
    /// hashes join no case, so their keys are not locked: a known hash reported in every
    /// batch would otherwise make every instance wait for every other.
    static func intakeKeys(_ submissions: [ReportSubmission], submitter: Submitter, hashes withHashes: Bool) -> IntakeKeys {
        var keys = IntakeKeys()
        var urls: Set<String> = []
        var clients: Set<String> = []
        var hashes: Set<String> = []
        for submission in submissions {
            if urls.insert(submission.url.canonical).inserted { keys.urls.append(submission.url.canonical) }
            if let clientID = submission.clientID, clients.insert("\(submitter.scope(for: submission))\u{0}\(clientID)").inserted {
                keys.clientIDs.append((submitter.scope(for: submission), clientID))
            }
            for (algorithm, value) in submission.hashes.all where withHashes && hashes.insert("\(algorithm.rawValue):\(value)").inserted {
                keys.contentHashes.append((algorithm, value))
            }
        }
        return keys
    }

    private func decide(_ submission: ReportSubmission, in transaction: Store.Transaction) throws -> IngestResult.Outcome {
        if let clientID = submission.clientID, let existing = try transaction.existingReport(clientID: clientID, scope: submitter.scope(for: submission)) {
            guard let decision = existing.decision else { return .pending(reportID: existing.reportID, caseID: existing.caseID, existing: true) }
            return .decided(reportID: existing.reportID, caseID: existing.caseID, decision: decision, existing: true)
        }
        let now = time.now()
        var report = submission.report(id: ids.next(), now: now)
        report.submittedBy = submitter.id
        report.clientScope = submitter.scope(for: submission)
        // A claim joins no case: only a submitter the config trusts speaks for the content.
        let contentHashes = claimsAreEvidence ? report.hashes.all : []
        var caseRecord: CaseRecord
        var joinedBy: String?
        // The same URL, or the same content under another URL, joins the open case.
        if let open = try transaction.openCase(url: report.url.canonical) {
            caseRecord = open
            joinedBy = "url"
        } else if !contentHashes.isEmpty, let open = try transaction.openCase(contentHashes: contentHashes) {
            caseRecord = open
            joinedBy = "hash"
            try transaction.addCaseURL(caseID: open.id, url: report.url.canonical)
        } else {
            caseRecord = CaseRecord(id: ids.next(), url: report.url.canonical, openedAt: now, firstReportID: report.id)
            try transaction.insertCase(caseRecord)
        }
        if joinedBy != nil {
            caseRecord.reportCount += 1
            try transaction.updateCase(caseRecord)
        }
        if !contentHashes.isEmpty { try transaction.addCaseHashes(caseID: caseRecord.id, hashes: contentHashes) }
        // Only the same canonical URL is a duplicate: the same material at another URL is at
        // another hoster, and must reach it.
        let isDuplicate = joinedBy == "url"
        try transaction.insertReport(report, caseID: caseRecord.id)
        let caseInfo = CaseInfo(caseID: caseRecord.id, isDuplicate: isDuplicate, reportCount: caseRecord.reportCount, openedAt: caseRecord.openedAt)
        var facts = Facts.intake(report: report, caseInfo: caseInfo, channel: channel, now: now)
        if let joinedBy { facts[.caseJoinedBy] = .string(joinedBy) }
        // What the reporter claimed is kept apart from what the gateway observes (`hash.*`).
        let claimed = hashMatcher?.match(report.hashes)
        claimed?.applyClaimed(to: &facts)
        if defers(submission) {
            try transaction.enqueueEvidence(
                EvidenceTask(reportID: report.id, caseID: caseRecord.id, facts: facts, claimsAreEvidence: claimsAreEvidence, createdAt: now))
            return .pending(reportID: report.id, caseID: caseRecord.id, existing: false)
        }
        FetchEvidence.skipped("fetching is off for \(submission.source.kind.rawValue) reports by \(channel)").apply(to: &facts)
        if claimsAreEvidence { claimed?.apply(to: &facts, source: .reported) }
        for enricher in enrichers { enricher.enrich(report, facts: &facts) }
        let verdict = engine.decide(facts)
        let decision = Decision(id: ids.next(), reportID: report.id, caseID: caseRecord.id, verdict: verdict, facts: facts, decidedAt: now)
        let subject = ReportedURL(
            reportID: report.id, caseID: caseRecord.id, decisionID: decision.id, url: report.url.canonical, host: report.url.host,
            hashes: report.hashes.hashValues)
        // Closing the report that opened the case closes the case; closing a duplicate only
        // closes that report, the case it joined stays open.
        let closes = verdict.outcome == .close && !isDuplicate
        try recorder.record(
            decision, items: recorder.items(for: verdict.actions, subject: subject, facts: facts, now: now), closing: closes ? caseRecord : nil, at: now,
            in: transaction)
        return .decided(reportID: report.id, caseID: caseRecord.id, decision: DecisionSummary(verdict), existing: false)
    }
}
