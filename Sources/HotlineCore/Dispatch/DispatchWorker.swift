import Foundation

/// What one pass of the worker did.
public struct DispatchPass: Hashable, Sendable {
    /// Notices written from waiting items.
    public var noticesCreated = 0
    /// Items that left their batch because the URL moved to another hoster.
    public var itemsMoved = 0
    /// Messages delivered.
    public var delivered = 0
    /// Attempts that failed and will be retried.
    public var retried = 0
    /// Messages given up on.
    public var failed = 0
    /// URL re-checks done.
    public var checks = 0
    /// Notices whose URLs were all confirmed gone.
    public var removed = 0
    /// `notice.overdue` events raised.
    public var overdue = 0
    /// `forward.stale` events raised.
    public var stale = 0
    /// Groups of items another instance batched or moved first (several instances on one store).
    /// Nothing is lost or sent twice: the other instance's notice stands.
    public var conflicts = 0
    /// Items still waiting for their batch window after the pass: not work done, but what an
    /// operator needs to see when a pass sends nothing on day one.
    public var waiting = 0
    /// When the earliest waiting group's window ends.
    public var nextBatchAt: Date?
    /// Items held until the police release them (counted once per ``DispatchWorker/runUntilIdle(limit:)``).
    public var held = 0
    /// Items waiting under a standing hold (the latest pass's view).
    public var onHold = 0
    /// Standing holds that ended in this pass (their items go out with it).
    public var holdsEnded = 0
    /// The delivery failures of the pass, for a warning each (an SMTP outage must not show
    /// only as a count); at most ``DeliveryProblem/kept`` are kept.
    public var problems: [DeliveryProblem] = []

    /// One failed delivery attempt.
    public struct DeliveryProblem: Hashable, Sendable {
        /// How many a pass keeps: an outage fails every message the same way.
        public static let kept = 20
        /// The notice's reference.
        public var reference: String
        /// Which attempt failed.
        public var attempt: Int
        /// The transport's error (never a secret; log handlers escape control characters).
        public var error: String
        /// The retry, or nil when the message was given up.
        public var nextAttemptAt: Date?

        /// One line for a log.
        public var description: String {
            "delivery of \(reference) failed (attempt \(attempt)): \(Quoted.text(error, limit: 300)); "
                + (nextAttemptAt.map { "retry at \(RFC3339.format($0))" } ?? "given up, the rules decide (delivery.failed)")
        }
    }

    /// Keeps `problem` for the log, up to the limit.
    public mutating func note(_ problem: DeliveryProblem) {
        if problems.count < DeliveryProblem.kept { problems.append(problem) }
    }

    /// Creates an empty pass.
    public init() {}

    /// Adds another pass's counts.
    public mutating func add(_ other: DispatchPass) {
        noticesCreated += other.noticesCreated
        itemsMoved += other.itemsMoved
        delivered += other.delivered
        retried += other.retried
        failed += other.failed
        checks += other.checks
        removed += other.removed
        overdue += other.overdue
        stale += other.stale
        conflicts += other.conflicts
        holdsEnded += other.holdsEnded
        onHold = other.onHold
        for problem in other.problems { note(problem) }
        // A state, not a count: the latest pass's view.
        waiting = other.waiting
        nextBatchAt = other.nextBatchAt
    }

    /// Whether the pass did anything (items left waiting are no work).
    public var didWork: Bool {
        noticesCreated + itemsMoved + delivered + retried + failed + checks + removed + overdue + stale + conflicts + holdsEnded > 0
    }

    /// `{"notices_created",…}`.
    public var json: JSONValue {
        .object([
            "notices_created": .number(Double(noticesCreated)), "items_moved": .number(Double(itemsMoved)),
            "delivered": .number(Double(delivered)), "retried": .number(Double(retried)), "failed": .number(Double(failed)),
            "checks": .number(Double(checks)), "removed": .number(Double(removed)), "overdue": .number(Double(overdue)), "stale": .number(Double(stale)),
            "conflicts": .number(Double(conflicts)), "waiting": .number(Double(waiting)),
            "next_batch_at": nextBatchAt.map { .string(RFC3339.format($0)) } ?? .null, "held": .number(Double(held)),
            "on_hold": .number(Double(onHold)), "holds_ended": .number(Double(holdsEnded)),
        ])
    }
}

/// Moves decided actions out of the door and follows them up: batches waiting items into
/// notices, delivers the outbox with retries, re-checks URLs, and raises lifecycle events
/// that the rules decide.
///
/// Every step reads what is due from the store and writes each result in one transaction
/// before the next, so a crash at any point resumes where it stopped. Time comes from the
/// ``TimeSource``: tests run a week of follow-up in milliseconds.
public struct DispatchWorker: Sendable {
    /// Storage.
    public let store: any NoticeStore
    /// The rules, for lifecycle events and re-decisions.
    public let engine: DecisionEngine
    /// Makes items from actions.
    public let planner: DispatchPlanner
    /// Writes messages.
    public let renderer: NoticeRenderer
    /// Delivers them.
    public let transport: any NoticeTransport
    /// Re-checks URLs; `nil` turns re-checks off.
    public let checker: (any URLChecking)?
    /// Looks hosting up again before sending; `nil` skips that.
    public let hostingLookup: (any HostingLookup)?
    /// Policies.
    public let settings: DispatchSettings
    /// The clock.
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator
    /// Called after each delivery, before its result is stored (fault injection in tests).
    public let afterDelivery: (@Sendable (OutboxMessage) -> Void)?
    /// Standing holds; `nil` when none are kept.
    public let holds: (any HoldStore)?

    /// Creates a worker.
    public init(
        store: any NoticeStore, engine: DecisionEngine, planner: DispatchPlanner, renderer: NoticeRenderer, transport: any NoticeTransport,
        checker: (any URLChecking)?, hostingLookup: (any HostingLookup)? = nil, settings: DispatchSettings = DispatchSettings(),
        time: any TimeSource = SystemTimeSource(), ids: any IDGenerator = UUIDv7Generator(), afterDelivery: (@Sendable (OutboxMessage) -> Void)? = nil,
        holds: (any HoldStore)? = nil
    ) {
        self.holds = holds
        self.store = store
        self.engine = engine
        self.planner = planner
        self.renderer = renderer
        self.transport = transport
        self.checker = checker
        self.hostingLookup = hostingLookup
        self.settings = settings
        self.time = time
        self.ids = ids
        self.afterDelivery = afterDelivery
    }

    /// One pass: batch, deliver, follow up.
    public func runOnce() throws -> DispatchPass {
        var pass = DispatchPass()
        try endDueHolds(&pass)
        try batchDueItems(&pass)
        try deliverDueMessages(&pass)
        try followUpDueNotices(&pass)
        return pass
    }

    /// Passes until one does nothing (what is due now is done), at most `limit` passes.
    public func runUntilIdle(limit: Int = 1000) throws -> DispatchPass {
        var total = DispatchPass()
        for _ in 0..<limit {
            let pass = try runOnce()
            total.add(pass)
            if !pass.didWork { break }
        }
        // Once per call, not per pass: a state for the operator, not work.
        total.held = try store.heldItems(limit: settings.batchLimit * 20).count
        return total
    }

    /// When a forward next raises `forward.stale`: the first multiple of the stale period
    /// after delivery not yet raised, while URLs are online and the follow-up goes on.
    func nextStale(_ notice: Notice) -> Date? {
        guard notice.kind == .forward, notice.isObserved, notice.status.isActive, let sentAt = notice.sentAt, !notice.onlineItems.isEmpty else { return nil }
        let period = TimeInterval(settings.followUp.forwardStaleAfter.seconds)
        let raised = notice.overdueRaisedFor.map { Int(($0.timeIntervalSince(sentAt) / period).rounded()) } ?? 0
        let stale = sentAt.addingTimeInterval(period * Double(raised + 1))
        guard stale <= sentAt.addingTimeInterval(TimeInterval(settings.followUp.giveUpAfter.seconds)) else { return nil }
        return stale
    }

    /// When a notice next needs the worker: its earliest due check, or its deadline when
    /// `notice.overdue` has not been raised for it yet.
    func nextDue(_ notice: Notice) -> Date? {
        guard notice.status.isActive, notice.isObserved else { return nil }
        var candidates: [Date] = []
        if checker != nil { candidates += notice.items.compactMap { $0.state == .online ? $0.nextCheckAt : nil } }
        if let stale = nextStale(notice) {
            candidates.append(stale <= time.now() && settings.quietDays.isQuiet(time.now()) ? settings.quietDays.nextWorkingStart(after: time.now()) : stale)
        }
        if let deadline = notice.deadline, notice.overdueRaisedFor != deadline,
            !notice.awaitingRemovalConfirmation || checker == nil
        {
            // On a quiet day the overdue event waits for the next working day.
            candidates.append(
                deadline <= time.now() && settings.quietDays.isQuiet(time.now()) ? settings.quietDays.nextWorkingStart(after: time.now()) : deadline)
        }
        return candidates.min()
    }
}
