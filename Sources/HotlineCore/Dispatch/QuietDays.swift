import Foundation

/// Days on which no deadline falls and no reminder goes out (public holidays, the days the
/// hotline is closed): `dispatch.quiet_days`. A deadline that would fall on one moves to the
/// same time of the next day that is not quiet; a reminder due on one waits for that day.
public struct QuietDays: Hashable, Sendable {
    /// `YYYY-MM-DD`, in ``timeZone``.
    public var days: Set<String>
    /// The zone the days are in (the hotline's).
    public var timeZone: TimeZone

    /// Creates the set.
    public init(_ days: Set<String> = [], timeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.days = days
        self.timeZone = timeZone
    }

    /// `YYYY-MM-DD` when `text` is a real calendar date in that form.
    public static func day(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1...12).contains(month), day >= 1
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
            let range = calendar.range(of: .day, in: .month, for: date), range.contains(day)
        else { return nil }
        return text
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The day `date` falls on.
    public func dayText(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Whether `date` falls on a quiet day.
    public func isQuiet(_ date: Date) -> Bool { !days.isEmpty && days.contains(dayText(date)) }

    /// `date`, or the same time on the first later day that is not quiet.
    public func shifted(_ date: Date) -> Date {
        var result = date
        // A year of quiet days at most: a config that lists every day must not loop forever.
        for _ in 0..<366 where isQuiet(result) {
            result = calendar.date(byAdding: .day, value: 1, to: result) ?? result.addingTimeInterval(86_400)
        }
        return result
    }

    /// The start of the first day after `date` that is not quiet (when a reminder due on a
    /// quiet day is looked at again).
    public func nextWorkingStart(after date: Date) -> Date {
        var day = calendar.startOfDay(for: date)
        for _ in 0..<366 {
            day = calendar.date(byAdding: .day, value: 1, to: day) ?? day.addingTimeInterval(86_400)
            if !isQuiet(day) { return day }
        }
        return day
    }
}
