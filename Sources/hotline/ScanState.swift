import Foundation
import HotlineCore

/// Where an interrupted scan resumes: the roots it scans, the last file whose check came
/// back, and the counts so far. Written (atomically) after every batch.
struct ScanState {
    var roots: [String]
    var last: [String]?
    var counts: [String: Int] = [:]

    var json: JSONValue {
        .object([
            "version": .number(1), "roots": .array(roots.map(JSONValue.string)), "last": last.map { .array($0.map(JSONValue.string)) } ?? .null,
            "counts": .object(JSONObject(counts.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })),
        ])
    }

    /// The state in `path`, `nil` when there is none; throws when it is unreadable or for other roots.
    static func load(_ path: String, roots: [String]) throws -> ScanState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard case .object(let object)? = try? JSONValue.parse(Array(data)), case .array(let saved)? = object["roots"] else {
            throw ScanError("\(path) is not a scan state file; remove it or name another with --state")
        }
        let savedRoots = saved.compactMap { if case .string(let root) = $0 { root } else { nil } }
        guard savedRoots == roots else {
            throw ScanError("\(path) is the state of a scan of \(savedRoots.joined(separator: " ")); remove it or name another with --state")
        }
        var state = ScanState(roots: roots)
        if case .array(let last)? = object["last"] { state.last = last.compactMap { if case .string(let part) = $0 { part } else { nil } } }
        if case .object(let counts)? = object["counts"] {
            for member in counts.members { if case .number(let n) = member.value { state.counts[member.key] = Int(n) } }
        }
        return state
    }

    func save(_ path: String) throws {
        try Data((json.serialized + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// A scan that cannot go on, with the reason.
struct ScanError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
