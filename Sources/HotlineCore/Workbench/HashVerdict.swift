import Foundation

/// One hash the gateway observed in a case (it fetched and hashed the content in memory).
public struct ObservedHash: Hashable, Sendable {
    /// The algorithm.
    public var algorithm: HashAlgorithm
    /// Lowercase hex.
    public var value: String
    /// PDQ quality (0–100), for PDQ hashes.
    public var quality: Int?
    /// The report whose fetch saw it.
    public var reportID: String
    /// The file's URL as text (the reported URL, or a medium of the reported page).
    public var mediaURL: String?

    /// Creates one.
    public init(algorithm: HashAlgorithm, value: String, quality: Int? = nil, reportID: String, mediaURL: String? = nil) {
        self.algorithm = algorithm
        self.value = value
        self.quality = quality
        self.reportID = reportID
        self.mediaURL = mediaURL
    }

    /// The hashes of what a fetch hashed: every digest of every file, and PDQ where an image was decoded.
    public static func of(_ media: [ObservedMedia], reportID: String) -> [ObservedHash] {
        media.filter { $0.mediaType != "text/html" }.flatMap { medium -> [ObservedHash] in
            var hashes = medium.digests.map { ObservedHash(algorithm: $0.0, value: $0.1, reportID: reportID, mediaURL: medium.url) }
            if let pdq = medium.pdq {
                hashes.append(ObservedHash(algorithm: .pdq, value: pdq.description, quality: medium.quality, reportID: reportID, mediaURL: medium.url))
            }
            return hashes
        }
    }
}

/// An analyst's verdict on what a case's observed hashes are. It is pending until a second
/// analyst, with another token, confirms it (four eyes); only then do its hashes match as
/// the hotline's own list, or, for `not_illegal`, go on the false-positive list.
public struct HashVerdict: Hashable, Sendable {
    /// Where it stands.
    public enum Status: String, Hashable, Sendable, CaseIterable {
        /// Waiting for a second analyst.
        case pending
        /// Confirmed: its hashes are in its list.
        case confirmed
        /// Rejected by the second analyst: nothing is listed.
        case rejected
    }

    /// Its id.
    public var id: String
    /// The case.
    public var caseID: String
    /// The analyst's decision that gave it.
    public var decisionID: String
    /// What the analyst found.
    public var classification: AssessedClassification
    /// The hashes it lists.
    public var hashes: [ObservedHash]
    /// Where it stands.
    public var status: Status
    /// The token of the analyst who decided.
    public var decidedBy: String
    /// Who that is, for people.
    public var decidedActor: String
    /// When.
    public var createdAt: Date
    /// The token of the analyst who confirmed or rejected it.
    public var reviewedBy: String?
    /// Who that is.
    public var reviewedActor: String?
    /// When.
    public var reviewedAt: Date?
    /// Why (a rejection needs one).
    public var reviewReason: String?

    /// Creates a verdict.
    public init(
        id: String, caseID: String, decisionID: String, classification: AssessedClassification, hashes: [ObservedHash], status: Status = .pending,
        decidedBy: String, decidedActor: String, createdAt: Date, reviewedBy: String? = nil, reviewedActor: String? = nil, reviewedAt: Date? = nil,
        reviewReason: String? = nil
    ) {
        self.id = id
        self.caseID = caseID
        self.decisionID = decisionID
        self.classification = classification
        self.hashes = hashes
        self.status = status
        self.decidedBy = decidedBy
        self.decidedActor = decidedActor
        self.createdAt = createdAt
        self.reviewedBy = reviewedBy
        self.reviewedActor = reviewedActor
        self.reviewedAt = reviewedAt
        self.reviewReason = reviewReason
    }

    /// The list its hashes go on once confirmed.
    public var list: String { classification == .notIllegal ? HashVerdict.falsePositiveList : HashVerdict.assessedList }

    /// The hotline's own list of confirmed verdicts.
    public static let assessedList = "assessed"
    /// Where confirmed `not_illegal` hashes are recorded (they are also allow-listed).
    public static let falsePositiveList = "false-positives"
}

/// Storage of verdicts and of the hashes the gateway observed per case.
public protocol VerdictStore: Sendable {
    /// The hashes the gateway observed in a case, oldest first.
    func observedHashes(caseID: String) throws -> [ObservedHash]
    /// A verdict by id.
    func verdict(id: String) throws -> HashVerdict?
    /// Verdicts in a state, oldest first.
    func verdicts(status: HashVerdict.Status?, caseID: String?, limit: Int) throws -> [HashVerdict]
    /// Records the review of a pending verdict with its audit entry and, when confirmed,
    /// its hashes (into ``HashVerdict/assessedList`` with the classification, or onto the
    /// allow-list for `not_illegal`), all in one transaction; `false` when it was no longer
    /// pending (another analyst reviewed it first), and then nothing is written.
    func reviewVerdict(_ verdict: HashVerdict, audit: AuditEntry) throws -> Bool
}
