import Foundation

/// Records a decision about a case with everything it asks for, in the caller's transaction:
/// the decision itself, the dispatch items its `notify` and `forward` actions ask for, and the
/// case's closing when the decision closes it. Intake and the analysts' decisions both record
/// through it, so a decided action can never be stored without its items.
public struct CaseDecisionRecorder: Sendable {
    /// Turns notify and forward actions into items; `nil` records decisions only (rule tests,
    /// replay, benchmarks of deciding).
    public let planner: DispatchPlanner?

    /// Creates a recorder.
    public init(planner: DispatchPlanner?) {
        self.planner = planner
    }

    /// The items `actions` ask for about `subject`, decided on `facts`.
    public func items(for actions: [Action], subject: ReportedURL, facts: Facts, now: Date) -> [DispatchItem] {
        guard let planner, actions.contains(where: { $0.kind == .notify || $0.kind == .forward }) else { return [] }
        return planner.items(for: actions, subject: subject, facts: facts, now: now)
    }

    /// Stores `decision` and `items`; when `closing` is given, stores that case closed at
    /// `now` and returns it.
    @discardableResult
    public func record(_ decision: Decision, items: [DispatchItem], closing caseRecord: CaseRecord?, at now: Date, in transaction: some ReportStoreTransaction)
        throws -> CaseRecord?
    {
        try transaction.insertDecision(decision)
        if !items.isEmpty { try transaction.enqueueDispatch(items) }
        guard var caseRecord else { return nil }
        caseRecord.status = .closed
        caseRecord.closedAt = now
        try transaction.updateCase(caseRecord)
        return caseRecord
    }
}
