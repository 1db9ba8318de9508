import Foundation

/// What is sent to an external matcher: a hash it knows how to compare, or the bytes of a
/// fetched file, held in memory only for the call.
public enum ExternalMatchQuery: Sendable {
    /// A hash (`photodna`, `md5`, …) and its value.
    case hash(algorithm: String, value: String)
    /// A file's bytes and its sniffed media type.
    case bytes([UInt8], mediaType: String?)
}

/// What an external matcher answered.
public enum ExternalMatchAnswer: Hashable, Sendable {
    /// A match: its classification as the matcher names it (checked to be a short token),
    /// its score when it gives one, and the list or source it matched in.
    case match(classification: String?, score: Double?, source: String?)
    /// Nothing matched.
    case noMatch
    /// No answer to act on: a timeout, an error status, a malformed answer, or the circuit
    /// breaker open. The reason is for the log and the facts' detail, never a decision.
    case unavailable(String)
}

/// The wire formats external matchers speak.
public enum ExternalMatcherAPI: String, Hashable, Sendable, CaseIterable {
    /// PhotoDNA's Match API: `{"DataRepresentation":"inline","Value":base64}`, the key in
    /// `Ocp-Apim-Subscription-Key`; answers `IsMatch` and `MatchDetails.MatchFlags`.
    case photodna
    /// Arachnid Shield's media endpoint: the raw bytes with their type, HTTP Basic;
    /// answers `classification` and `match_type`.
    case arachnid
}

/// One external matcher's answer about one file: who was asked, and what it said.
public struct ExternalMatch: Hashable, Sendable {
    /// The matcher's name (`hash.list` of its matches).
    public var matcher: String
    /// Its answer.
    public var answer: ExternalMatchAnswer

    /// Creates one.
    public init(matcher: String, answer: ExternalMatchAnswer) {
        self.matcher = matcher
        self.answer = answer
    }

    /// As a hash match result for the rules, when it is a match.
    public var result: HashMatchResult? { answer.result(matcher: matcher) }
}

/// A matcher outside the gateway (PhotoDNA, Arachnid Shield): licensed or remote, so it is a
/// port, and its answer becomes `hash.*` facts with `hash.source: external`.
public protocol ExternalMatcher: Sendable {
    /// The name its matches are listed under (`hash.list`).
    var name: String { get }
    /// Asks it.
    func match(_ query: ExternalMatchQuery) -> ExternalMatchAnswer
}

extension ExternalMatchAnswer {
    /// The longest classification or source text taken from a matcher.
    static let tokenLimit = 64

    /// `text` when it is a short token (letters, digits, `_`, `-`, `.`, `:`, space), else nil:
    /// what a remote service says reaches facts, logs and notices only when it is plain.
    public static func token(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= tokenLimit else { return nil }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_-.: ".unicodeScalars.contains(scalar))
        }
        return allowed ? text : nil
    }

    /// As a hash match result for the rules: `known` from the matcher's list, with the
    /// classification where it is one of the gateway's; `nil` unless it is a match.
    public func result(matcher: String) -> HashMatchResult? {
        guard case .match(let classification, let score, _) = self else { return nil }
        var result = HashMatchResult(kind: .known, list: matcher, classification: classification.flatMap { HashClassification(rawValue: $0) })
        result.score = score
        result.externalClassification = classification
        return result
    }
}
