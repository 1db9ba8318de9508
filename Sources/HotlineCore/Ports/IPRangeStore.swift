/// Storage of imported IP ranges, replaced per source on re-import.
public protocol IPRangeStore: Sendable {
    /// Replaces every range of `source` with `ranges`.
    func replaceIPRanges(source: String, with ranges: [IPRange]) throws
    /// Every stored range.
    func allIPRanges() throws -> [IPRange]
    /// Range counts per source.
    func ipRangeSources() throws -> [(source: String, ranges: Int)]
}
