import Foundation

/// A standing hold: nothing goes out about a domain, a network, a contact or a case until
/// it ends (an investigation, a police request, a hoster's migration). Dispatch items it
/// covers wait, and are batched once when it ends; the rules see it as `hold.*`.
public struct StandingHold: Hashable, Sendable {
    /// What a hold covers.
    public enum Scope: String, Hashable, Sendable, CaseIterable {
        /// A registered domain and every name under it.
        case domain
        /// An IP range (CIDR).
        case network
        /// A directory contact (its id).
        case contact
        /// One case.
        case `case`
    }

    /// Its id.
    public var id: String
    /// What it covers.
    public var scope: Scope
    /// The domain, the CIDR, the contact id or the case id, normalized.
    public var value: String
    /// Why.
    public var reason: String
    /// Held at the police's request (the rules and the notices page say so).
    public var police: Bool
    /// Who placed it.
    public var createdBy: String
    /// When.
    public var createdAt: Date
    /// When it ends by itself.
    public var until: Date
    /// When it was ended (by its time or by hand), once.
    public var endedAt: Date?
    /// Who ended it by hand, or `expired`.
    public var endedBy: String?

    /// Creates a hold.
    public init(
        id: String, scope: Scope, value: String, reason: String, police: Bool, createdBy: String, createdAt: Date, until: Date, endedAt: Date? = nil,
        endedBy: String? = nil
    ) {
        self.id = id
        self.scope = scope
        self.value = value
        self.reason = reason
        self.police = police
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.until = until
        self.endedAt = endedAt
        self.endedBy = endedBy
    }

    /// The hold as JSON, with whether it is in force at `date`.
    public func json(at date: Date) -> JSONValue {
        .object([
            "id": .string(id), "scope": .string(scope.rawValue), "value": .string(value), "reason": .string(reason), "police": .bool(police),
            "created_by": .string(createdBy), "created_at": .string(RFC3339.format(createdAt)), "until": .string(RFC3339.format(until)),
            "active": .bool(isActive(at: date)), "ended_at": endedAt.map { .string(RFC3339.format($0)) } ?? .null,
            "ended_by": endedBy.map(JSONValue.string) ?? .null,
        ])
    }

    /// Whether it holds at `date`.
    public func isActive(at date: Date) -> Bool { endedAt == nil && date < until && date >= createdAt }

    /// The value checked and normalized for its scope, or why it is not one.
    public static func normalize(_ text: String, scope: Scope) -> Result<String, HoldValueError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch scope {
        case .domain:
            let lower = trimmed.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
            let labels = lower.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, lower.utf8.count <= 253,
                labels.allSatisfy({ label in
                    !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                        && label.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
                })
            else {
                return .failure(
                    HoldValueError("a domain is names of letters, digits and hyphens joined by dots (punycode for others), got \(Quoted.text(text))"))
            }
            return .success(lower)
        case .network:
            guard let range = IPNetwork(trimmed) else {
                return .failure(HoldValueError("a network is a CIDR range like 192.0.2.0/24, got \(Quoted.text(text))"))
            }
            return .success(range.description)
        case .contact, .case:
            guard !trimmed.isEmpty, trimmed.utf8.count <= 128, trimmed.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
                return .failure(HoldValueError("a \(scope.rawValue) id is 1–128 printable characters without spaces, got \(Quoted.text(text))"))
            }
            return .success(trimmed)
        }
    }

    /// Whether it covers a URL's host, its address, its hoster's contact id or its case.
    public func covers(host: String, ip: String?, contactID: String?, caseID: String?) -> Bool {
        switch scope {
        case .domain:
            let lower = host.lowercased()
            return lower == value || lower.hasSuffix("." + value)
        case .network:
            guard let ip, let address = IPAddress(ip), let range = IPNetwork(value) else { return false }
            return range.contains(address)
        case .contact: return contactID == value
        case .case: return caseID == value
        }
    }
}

/// A hold's value that does not fit its scope.
public struct HoldValueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message.
    public var description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

/// Storage of standing holds, shared by every instance.
public protocol HoldStore: Sendable {
    /// Stores a new hold with its audit entry.
    func insertHold(_ hold: StandingHold, audit: AuditEntry) throws
    /// Holds that have not ended by hand or been marked ended, newest first (active or
    /// past their time but not yet marked).
    func openHolds() throws -> [StandingHold]
    /// Every hold, newest first.
    func holds(limit: Int) throws -> [StandingHold]
    /// Marks a hold ended, with its audit entry, once: `false` when it had ended already
    /// (another instance, or a person, ended it first).
    func endHold(id: String, at date: Date, by actor: String, audit: AuditEntry) throws -> Bool
}
