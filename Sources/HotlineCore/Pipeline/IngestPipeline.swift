import Foundation

/// One line of JSON Lines input.
public struct IngestLine: Sendable {
    /// 1-based line number in the input.
    public var number: Int
    /// The line's bytes without the line break.
    public var bytes: ArraySlice<UInt8>
    /// Whether the line was longer than the reader accepts (its bytes are then dropped).
    public var isTooLong: Bool

    /// Creates a line.
    public init(number: Int, bytes: ArraySlice<UInt8>, isTooLong: Bool = false) {
        self.number = number
        self.bytes = bytes
        self.isTooLong = isTooLong
    }
}

/// What happened to one input line.
public struct IngestResult: Hashable, Sendable {
    /// What happened.
    public enum Outcome: Hashable, Sendable {
        /// Stored and decided. `existing` when the client id was seen before and this is
        /// that earlier report and its decision.
        case decided(reportID: String, caseID: String, decision: DecisionSummary, existing: Bool)
        /// Refused; nothing was stored.
        case rejected(ReportError)
    }

    /// 1-based input line.
    public var line: Int
    /// What happened.
    public var outcome: Outcome

    /// Creates a result.
    public init(line: Int, outcome: Outcome) {
        self.line = line
        self.outcome = outcome
    }

    /// The line printed for this result:
    /// `{"line","report_id","case_id","outcome","rule","actions","rules_version"}` or
    /// `{"line","outcome":"rejected","error","code","field"}`.
    public var json: JSONValue {
        var object: JSONObject = ["line": .number(Double(line))]
        switch outcome {
        case .decided(let reportID, let caseID, let decision, let existing):
            object.append("report_id", .string(reportID))
            object.append("case_id", .string(caseID))
            object.append("outcome", .string(decision.outcome))
            object.append("rule", .string(decision.rule))
            object.append("actions", decision.actions)
            object.append("rules_version", .string(decision.rulesDigest))
            if existing { object.append("existing", .bool(true)) }
        case .rejected(let error):
            object.append("outcome", .string("rejected"))
            object.append("error", .string(error.message))
            object.append("code", .string(error.code))
            if let field = error.field { object.append("field", .string(field)) }
        }
        return .object(object)
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
    /// Checks report hashes against the known-hash lists; `nil` leaves `hash.*` absent.
    public let hashMatcher: (any HashMatching)?
    /// Add further facts (hosting, registrar), in order.
    public let enrichers: [any ReportEnricher]
    /// Turns notify and forward actions into dispatch items in the decision's transaction;
    /// `nil` records decisions only (rule tests, replay, benchmarks of deciding).
    public let planner: DispatchPlanner?

    /// Creates a pipeline.
    public init(store: Store, engine: DecisionEngine, hashMatcher: (any HashMatching)? = nil, enrichers: [any ReportEnricher] = [], planner: DispatchPlanner? = nil, time: any TimeSource = SystemTimeSource(), ids: any IDGenerator = UUIDv7Generator(), channel: String = "file", actor: String = "system") {
        self.store = store
        self.engine = engine
        self.hashMatcher = hashMatcher
        self.enrichers = enrichers
        self.planner = planner
        self.time = time
        self.ids = ids
        self.channel = channel
        self.actor = actor
    }

    /// Processes a batch. Bad lines are rejected one by one; accepted ones are stored and
    /// decided in one transaction. Throws only when that transaction fails, in which case
    /// nothing of the batch was stored.
    public func ingest(_ lines: [IngestLine]) throws -> [IngestResult] {
        var parsed: [(line: Int, submission: ReportSubmission?, error: ReportError?)] = []
        parsed.reserveCapacity(lines.count)
        for line in lines {
            if line.isTooLong {
                parsed.append((line.number, nil, ReportError(code: "too-long", message: "line is longer than the \(JSONLinesReader.defaultMaximumLineLength) bytes accepted")))
                continue
            }
            do {
                parsed.append((line.number, try ReportSubmission.parse(json: line.bytes), nil))
            } catch {
                parsed.append((line.number, nil, error))
            }
        }
        let accepted = parsed.filter { $0.submission != nil }
        if accepted.isEmpty {
            return parsed.map { IngestResult(line: $0.line, outcome: .rejected($0.error!)) }
        }
        let submissions = accepted.map { $0.submission! }
        for enricher in enrichers { enricher.prepare(submissions) }
        // Only a store with several writers at once uses them; SQLite's single writer does not.
        let keys = store.usesIntakeKeys ? Self.intakeKeys(submissions) : IntakeKeys()
        let decided: [Int: IngestResult.Outcome] = try store.write { transaction in
            try transaction.prepare(keys)
            var outcomes: [Int: IngestResult.Outcome] = [:]
            var newReports = 0
            var existingReports = 0
            for entry in accepted {
                let outcome = try decide(entry.submission!, in: transaction)
                if case .decided(_, _, _, true) = outcome { existingReports += 1 } else { newReports += 1 }
                outcomes[entry.line] = outcome
            }
            try transaction.appendAudit(AuditEntry(
                at: time.now(), actor: actor, event: "ingest.batch",
                detail: [
                    "channel": .string(channel),
                    "first_line": .number(Double(lines.first?.number ?? 0)),
                    "last_line": .number(Double(lines.last?.number ?? 0)),
                    "new_reports": .number(Double(newReports)),
                    "existing_reports": .number(Double(existingReports)),
                    "rejected": .number(Double(parsed.count - accepted.count)),
                    "rules_version": .string(engine.ruleSet.digest),
                ]))
            return outcomes
        }
        return parsed.map { entry in
            if let outcome = decided[entry.line] { return IngestResult(line: entry.line, outcome: outcome) }
            return IngestResult(line: entry.line, outcome: .rejected(entry.error!))
        }
    }

    /// What a batch looks up by value: its URLs, client ids and content hashes, each once.
    static func intakeKeys(_ submissions: [ReportSubmission]) -> IntakeKeys {
        var keys = IntakeKeys()
        var urls: Set<String> = [], clients: Set<String> = [], hashes: Set<String> = []
        for submission in submissions {
            if urls.insert(submission.url.canonical).inserted { keys.urls.append(submission.url.canonical) }
            if let clientID = submission.clientID, clients.insert("\(submission.source.name ?? "")\u{0}\(clientID)").inserted {
                keys.clientIDs.append((submission.source.name ?? "", clientID))
            }
            for (algorithm, value) in submission.hashes.all where hashes.insert("\(algorithm.rawValue):\(value)").inserted {
                keys.contentHashes.append((algorithm, value))
            }
        }
        return keys
    }

    private func decide(_ submission: ReportSubmission, in transaction: Store.Transaction) throws -> IngestResult.Outcome {
        if let clientID = submission.clientID,
           let existing = try transaction.existingReport(clientID: clientID, sourceName: submission.source.name ?? ""),
           let decision = existing.decision {
            return .decided(reportID: existing.reportID, caseID: existing.caseID, decision: decision, existing: true)
        }
        let now = time.now()
        let report = submission.report(id: ids.next(), now: now)
        let contentHashes = report.hashes.all
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
        let isDuplicate = joinedBy != nil
        try transaction.insertReport(report, caseID: caseRecord.id)
        let caseInfo = CaseInfo(caseID: caseRecord.id, isDuplicate: isDuplicate, reportCount: caseRecord.reportCount, openedAt: caseRecord.openedAt)
        var facts = Facts.intake(report: report, caseInfo: caseInfo, channel: channel, now: now, schema: engine.ruleSet.schema)
        if let joinedBy { facts["case.joined_by"] = .string(joinedBy) }
        hashMatcher?.match(report.hashes)?.apply(to: &facts)
        for enricher in enrichers { enricher.enrich(report, facts: &facts) }
        let verdict = engine.decide(facts)
        let decisionID = ids.next()
        try transaction.insertDecision(Decision(id: decisionID, reportID: report.id, caseID: caseRecord.id, verdict: verdict, facts: facts, decidedAt: now))
        if let planner, verdict.actions.contains(where: { $0.kind == .notify || $0.kind == .forward }) {
            let subject = DispatchPlanner.Subject(reportID: report.id, caseID: caseRecord.id, decisionID: decisionID, url: report.url.canonical, host: report.url.host, facts: facts, hashes: report.hashes.hashValues)
            try transaction.enqueueDispatch(planner.items(for: verdict.actions, subject: subject, now: now))
        }
        // Closing the report that opened the case closes the case; closing a duplicate only
        // closes that report, the case it joined stays open.
        if verdict.outcome == .close && !isDuplicate {
            caseRecord.status = .closed
            caseRecord.closedAt = now
            try transaction.updateCase(caseRecord)
        }
        return .decided(reportID: report.id, caseID: caseRecord.id, decision: DecisionSummary(verdict), existing: false)
    }
}
