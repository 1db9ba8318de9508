import Foundation

/// Why a dispute was not filed or decided; the routes answer each with its own status.
public enum DisputeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not something that can be disputed (no list holds the hash, the notice has none).
    case nothingToDispute(String)
    /// No such dispute or notice (for this organisation).
    case notFound(String)
    /// Decided already.
    case decided(String)
    /// A field is missing or wrong.
    case invalid(String)

    /// The message.
    public var description: String {
        switch self {
        case .nothingToDispute(let message), .notFound(let message), .decided(let message), .invalid(let message): message
        }
    }
}

/// Files and decides disputes: what a hoster contests is checked against the lists in force
/// (only a listed hash can be disputed), and an accepted dispute allow-lists the hashes with
/// the lists that held them named in the reason. Every step is audited.
public struct DisputeDesk: Sendable {
    /// Where disputes are kept.
    public let store: any DisputeStore
    /// The clock.
    public let time: any TimeSource
    /// Id maker.
    public let ids: any IDGenerator

    /// Creates the desk.
    public init(store: any DisputeStore, time: any TimeSource, ids: any IDGenerator = UUIDv7Generator()) {
        self.store = store
        self.time = time
        self.ids = ids
    }

    /// Files a dispute of `hashes` (each with the lists that hold it now) for `org`.
    public func file(
        org: String, token: APIToken, hashes: [(entry: HashListEntry, lists: [String])], noticeID: String?, reason: String, evidence: String?
    ) throws -> Dispute {
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty, why.utf8.count <= 2000 else { throw DisputeError.invalid("a dispute needs a reason of at most 2000 bytes") }
        if let evidence, evidence.utf8.count > 8192 { throw DisputeError.invalid("\"evidence\" is at most 8192 bytes of text") }
        let listed = hashes.filter { !$0.lists.isEmpty }
        guard !listed.isEmpty else { throw DisputeError.nothingToDispute("no list in force holds \(noticeID == nil ? "this hash" : "a hash of this notice")") }
        let lists = Array(Set(listed.flatMap(\.lists))).sorted()
        let now = time.now()
        let dispute = Dispute(
            id: ids.next(), org: org, tokenID: token.id, hashes: listed.map(\.entry), noticeID: noticeID, lists: lists, reason: why,
            evidence: evidence?.isEmpty == true ? nil : evidence, createdAt: now)
        try store.insertDispute(
            dispute,
            audit: AuditEntry(
                at: now, actor: token.actor, event: "dispute.filed", subject: dispute.id,
                detail: [
                    "org": .string(org), "hashes": .number(Double(dispute.hashes.count)), "lists": .array(lists.map(JSONValue.string)),
                    "notice_id": noticeID.map(JSONValue.string) ?? .null,
                ]))
        return dispute
    }

    /// Accepts or rejects an open dispute as `actor`, with a reason.
    public func decide(id: String, accept: Bool, reason: String?, actor: String) throws -> Dispute {
        let why = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw DisputeError.invalid("a decision on a dispute needs a reason") }
        guard var dispute = try store.dispute(id: id) else { throw DisputeError.notFound("no dispute \(Quoted.text(id))") }
        guard dispute.status == .open else { throw DisputeError.decided("dispute \(id) was \(dispute.status.rawValue) already") }
        let now = time.now()
        dispute.status = accept ? .accepted : .rejected
        dispute.decidedBy = actor
        dispute.decidedAt = now
        dispute.decisionReason = why
        let entry = AuditEntry(
            at: now, actor: actor, event: accept ? "dispute.accepted" : "dispute.rejected", subject: id,
            detail: [
                "org": .string(dispute.org), "hashes": .number(Double(dispute.hashes.count)), "lists": .array(dispute.lists.map(JSONValue.string)),
                "reason": .string(why),
            ])
        guard try store.decideDispute(dispute, audit: entry) else { throw DisputeError.decided("dispute \(id) was decided a moment ago") }
        return dispute
    }

    /// The allow-list reason an accepted dispute records, naming the lists that held the hash.
    public static func allowReason(_ dispute: Dispute) -> String {
        "dispute \(dispute.id) by \(dispute.org) accepted by \(dispute.decidedBy ?? "?"): listed on \(dispute.lists.joined(separator: ", ")); \(dispute.decisionReason ?? "")"
    }
}
