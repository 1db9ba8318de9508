import Foundation

/// Why a verdict review was not recorded; the routes and the CLI answer each in their own way.
public enum VerdictReviewError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No such verdict.
    case notFound(String)
    /// It was reviewed already.
    case notPending(String)
    /// The analyst who gave the verdict cannot confirm or reject it: four eyes.
    case ownVerdict(String)
    /// A rejection without a reason.
    case reasonRequired(String)

    /// The message.
    public var description: String {
        switch self {
        case .notFound(let message), .notPending(let message), .ownVerdict(let message), .reasonRequired(let message): message
        }
    }
}

/// Turns analysts' verdicts into the hotline's hash memory under four eyes: a decision with
/// a classification makes a pending verdict of the case's observed hashes; a second analyst,
/// with another token, confirms or rejects it. Confirmed, its hashes match from then on
/// (list `assessed`, with the classification), or for `not_illegal` are allow-listed so that
/// no list can make them known.
public struct VerdictReview: Sendable {
    /// PDQ hashes of images below this quality are not remembered: they match too loosely.
    public static let pdqQualityFloor = 50

    /// The clock.
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator

    /// Creates the reviewer.
    public init(time: any TimeSource, ids: any IDGenerator = UUIDv7Generator()) {
        self.time = time
        self.ids = ids
    }

    /// The pending verdict a decision gives, or `nil` when the gateway observed nothing in
    /// the case worth remembering. Only what the gateway hashed itself goes in, never a
    /// reporter's claimed hashes.
    public func verdict(
        caseID: String, decisionID: String, classification: AssessedClassification, observed: [ObservedHash], token: APIToken, at now: Date
    ) -> HashVerdict? {
        var seen = Set<String>()
        let hashes = observed.filter { hash in
            if hash.algorithm == .pdq, (hash.quality ?? 0) < Self.pdqQualityFloor { return false }
            return seen.insert("\(hash.algorithm.rawValue):\(hash.value)").inserted
        }
        guard !hashes.isEmpty else { return nil }
        return HashVerdict(
            id: ids.next(), caseID: caseID, decisionID: decisionID, classification: classification, hashes: hashes, decidedBy: token.id,
            decidedActor: token.actor, createdAt: now)
    }

    /// Confirms (`confirm`) or rejects a pending verdict as `token`; returns it as stored.
    public func review(id: String, confirm: Bool, reason: String?, token: APIToken, store: some VerdictStore) throws -> HashVerdict {
        guard var verdict = try store.verdict(id: id) else { throw VerdictReviewError.notFound("no verdict \(Quoted.text(id))") }
        guard verdict.status == .pending else {
            throw VerdictReviewError.notPending("verdict \(id) was \(verdict.status.rawValue) by \(verdict.reviewedActor ?? "someone") already")
        }
        guard verdict.decidedBy != token.id else {
            throw VerdictReviewError.ownVerdict(
                "four eyes: the analyst who gave verdict \(id) cannot \(confirm ? "confirm" : "reject") it; another analyst must")
        }
        let why = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if !confirm, why?.isEmpty ?? true { throw VerdictReviewError.reasonRequired("a rejection needs a reason") }
        let now = time.now()
        verdict.status = confirm ? .confirmed : .rejected
        verdict.reviewedBy = token.id
        verdict.reviewedActor = token.actor
        verdict.reviewedAt = now
        verdict.reviewReason = why?.isEmpty == false ? why : nil
        let entry = AuditEntry(
            at: now, actor: token.actor, event: confirm ? "verdict.confirmed" : "verdict.rejected", subject: id,
            detail: [
                "case_id": .string(verdict.caseID), "classification": .string(verdict.classification.rawValue), "hashes": .number(Double(verdict.hashes.count)),
                "list": .string(confirm ? (verdict.classification == .notIllegal ? "allowlist" : verdict.list) : "none"),
                "given_by": .string(verdict.decidedActor), "reason": why.map(JSONValue.string) ?? .null,
            ])
        guard try store.reviewVerdict(verdict, audit: entry) else {
            throw VerdictReviewError.notPending("verdict \(id) was reviewed by someone else a moment ago")
        }
        return verdict
    }
}
