import Foundation

/// One AS relationship in CAIDA's `as-rel` format.
public struct ASRelationship: Hashable, Sendable {
    /// `-1` in the file: the first AS provides transit to the second; `0`: they peer.
    public enum Kind: Int, Hashable, Sendable {
        /// Provider to customer.
        case providerToCustomer = -1
        /// Peers.
        case peer = 0
    }

    /// The first AS of the line (the provider, for `-1`).
    public var first: Int
    /// The second AS (the customer, for `-1`).
    public var second: Int
    /// What they are to each other.
    public var kind: Kind

    /// Creates a relationship.
    public init(first: Int, second: Int, kind: Kind) {
        self.first = first
        self.second = second
        self.kind = kind
    }
}

extension ASRelationship {
    /// A problem with one line of an `as-rel` file.
    public struct LineProblem: Hashable, Sendable {
        /// The line number, from 1.
        public var line: Int
        /// Why it was skipped.
        public var reason: String
    }

    /// Parses CAIDA's serial-1 and serial-2 `as-rel` text: `AS1|AS2|REL` (serial-2 adds
    /// `|SOURCE`), `#` comments. A bad line is skipped with its number and why; the rest goes on.
    public static func parse(_ text: Substring) -> (relationships: [ASRelationship], problems: [LineProblem]) {
        var relationships: [ASRelationship] = []
        var problems: [LineProblem] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count == 3 || fields.count == 4 else {
                problems.append(LineProblem(line: number, reason: "expected AS1|AS2|REL, got \(fields.count) field(s)"))
                continue
            }
            guard let first = Int(fields[0]), let second = Int(fields[1]), (1...4_294_967_295).contains(first), (1...4_294_967_295).contains(second) else {
                problems.append(LineProblem(line: number, reason: "the AS numbers must be whole numbers from 1 to 4294967295"))
                continue
            }
            guard let value = Int(fields[2]), let kind = Kind(rawValue: value) else {
                problems.append(LineProblem(line: number, reason: "the relationship must be -1 (provider to customer) or 0 (peers)"))
                continue
            }
            guard first != second else {
                problems.append(LineProblem(line: number, reason: "an AS cannot be related to itself"))
                continue
            }
            relationships.append(ASRelationship(first: first, second: second, kind: kind))
        }
        return (relationships, problems)
    }
}

/// Storage of AS relationships, replaced whole by each import.
public protocol ASRelationshipStore: Sendable {
    /// Replaces every relationship with `relationships`, in one transaction, audited.
    func replaceASRelationships(_ relationships: [ASRelationship], source: String, audit: AuditEntry) throws
    /// The providers (upstreams) of each AS in `asns`.
    func upstreams(of asns: [Int]) throws -> [Int: [Int]]
    /// How many relationships are stored.
    func asRelationshipCount() throws -> Int
}
