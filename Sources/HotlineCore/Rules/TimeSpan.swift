/// A length of time written the way operators write it: `90s`, `30m`, `24h`, `7d`, `2w`, `1h30m`.
///
/// Named `TimeSpan` rather than `Duration` to stay clear of the standard library's type.
public struct TimeSpan: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Whole seconds.
    public var seconds: Int

    /// Creates a span of `seconds`.
    public init(seconds: Int) { self.seconds = seconds }

    /// `hours` hours.
    public static func hours(_ hours: Int) -> TimeSpan { TimeSpan(seconds: hours * 3600) }

    private static let units: [(Character, Int)] = [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]

    /// The longest span accepted: a hundred years. Longer ones reached past year 9999, which
    /// RFC 3339 cannot write, and were stored as 1970.
    public static let maximumSeconds = 3_155_760_000

    /// Parses one or more `NUMBER UNIT` parts with units in decreasing order (`1h30m`); `nil` if malformed.
    public init?(_ text: String) {
        var total = 0
        var number = 0
        var hasDigits = false
        var lastUnitIndex = -1
        var parts = 0
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                number = number * 10 + digit
                hasDigits = true
                if number > 100_000_000 { return nil }
            } else if let unitIndex = TimeSpan.units.firstIndex(where: { $0.0 == character }) {
                guard hasDigits, unitIndex > lastUnitIndex else { return nil }
                total += number * TimeSpan.units[unitIndex].1
                number = 0
                hasDigits = false
                lastUnitIndex = unitIndex
                parts += 1
            } else {
                return nil
            }
        }
        guard parts > 0, !hasDigits, total <= TimeSpan.maximumSeconds else { return nil }
        seconds = total
    }

    /// Text that parses back to the same span, in the units operators use for deadlines:
    /// whole days from a week up (`7d`, `14d`), whole hours below that (`24h`, `72h`), and
    /// hours, minutes and seconds otherwise (`1h30m`, `1m30s`).
    public var description: String {
        if seconds == 0 { return "0s" }
        if seconds % 86_400 == 0 && seconds >= 604_800 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        var text = ""
        var remaining = seconds
        for (unit, size) in [("h", 3600), ("m", 60), ("s", 1)] where remaining >= size {
            text += "\(remaining / size)\(unit)"
            remaining %= size
        }
        return text
    }

    /// Whether the left one sorts first.
    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }
}
