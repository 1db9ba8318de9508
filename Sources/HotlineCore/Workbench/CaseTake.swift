import Foundation

/// An analyst working a case: while the take lasts, nobody else can take or decide it.
/// It lapses by itself, so a case taken by someone who went home comes back to the queue.
public struct CaseTake: Hashable, Sendable {
    /// The case.
    public var caseID: String
    /// The token of the analyst who took it.
    public var tokenID: String
    /// Who that is, for people.
    public var actor: String
    /// When it was taken.
    public var takenAt: Date
    /// When it lapses.
    public var until: Date

    /// Creates a take.
    public init(caseID: String, tokenID: String, actor: String, takenAt: Date, until: Date) {
        self.caseID = caseID
        self.tokenID = tokenID
        self.actor = actor
        self.takenAt = takenAt
        self.until = until
    }

    /// How long a take lasts without being renewed.
    public static let lifetime: TimeInterval = 30 * 60
}

/// Who works which case, shared by every instance.
public protocol CaseTakeStore: Sendable {
    /// Takes a case for `take.tokenID`: succeeds when nobody else holds a live take on it
    /// (renewing one's own); returns the take in force afterwards, the other analyst's when
    /// it failed.
    func takeCase(_ take: CaseTake) throws -> CaseTake
    /// The live take on a case at `date`, if any.
    func caseTake(caseID: String, at date: Date) throws -> CaseTake?
    /// Gives a case back (its decision, or by hand); only the token that holds it can.
    func releaseCase(caseID: String, tokenID: String) throws
    /// Live takes at `date`, by case id (for the queue).
    func caseTakes(at date: Date) throws -> [String: CaseTake]
}
