import HotlineCore
import Hummingbird

/// Numbers in query strings (`limit`): a number or a 400 naming the parameter, then held to
/// the range the route serves. `?limit=-1` once trapped in a prefix and took every service
/// down with it; elsewhere it meant "no limit".
enum QueryLimit {
    /// `name` from `request`'s query, `fallback` when absent, clamped into `range`.
    static func value(_ request: Request, _ name: String = "limit", fallback: Int = 100, range: ClosedRange<Int> = 1...1000) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard let number = Int(String(text)) else {
            throw Problem.badRequest("query parameter \"\(name)\" must be a whole number, got \(Quoted.text(String(text)))", field: name)
        }
        return min(max(number, range.lowerBound), range.upperBound)
    }
}

/// A `status` filter in a query string: one of the states of `State`, `nil` when absent, or a
/// 400 naming the values.
enum QueryStatus {
    /// The state `?status=` names.
    static func value<State: RawRepresentable & CaseIterable>(_ request: Request, as _: State.Type = State.self) throws -> State?
    where State.RawValue == String {
        guard let text = request.uri.queryParameters.get("status").map({ String($0) }) else { return nil }
        guard let status = State(rawValue: text) else {
            let names = State.allCases.map(\.rawValue)
            let listed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
            throw Problem.badRequest("\"status\" must be \(listed), got \(Quoted.text(text))", field: "status")
        }
        return status
    }
}
