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
        guard parts > 0, !hasDigits else { return nil }
        seconds = total
    }

    /// The shortest text that parses back to the same span (`24h`, `1h30m`, `0s`).
    public var description: String {
        if seconds == 0 { return "0s" }
        var remaining = seconds
        var text = ""
        for (unit, size) in TimeSpan.units where remaining >= size {
            // Weeks only when they divide evenly, so 10d stays 10d rather than 1w3d.
            if unit == "w" && remaining % size != 0 { continue }
            text += "\(remaining / size)\(unit)"
            remaining %= size
        }
        return text
    }

    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }
}
