/// One String per distinct value while a million rows are read: organisations, recipients
/// and contact ids repeat, and a copy per row costs more memory than the rows themselves.
struct SharedStrings {
    private var seen: [String: String] = [:]

    /// The first copy of `value` seen.
    mutating func shared(_ value: String) -> String {
        if let found = seen[value] { return found }
        seen[value] = value
        return value
    }
}
