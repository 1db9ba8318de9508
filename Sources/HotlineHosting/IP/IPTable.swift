import HotlineCore

/// Answers "what is known about this address" for IPv4 and IPv6 in one sorted array.
///
/// Imported ranges may nest (a /16 from a registry file, a /24 announcement inside it) and
/// come from several sources. They are flattened once into disjoint segments, each carrying
/// the most specific range that covers it, so a lookup is one binary search: longest-prefix
/// semantics without a trie. IPv4 lives in its mapped place (`::ffff:0:0/96`) of the same
/// 128-bit space. The ASN and description come from the most specific range that has them,
/// the country likewise, so a delegated-stats file can supply countries the announcement
/// data lacks.
public struct IPTable: Sendable {
    /// Segment starts, as (high, low) pairs flattened: `[h0, l0, h1, l1, ...]`.
    private let starts: [UInt64]
    /// Per segment: index into `infos`, or -1 for a gap.
    private let segments: [Int32]
    /// One record per range; a class so a lookup hands back one reference, not three strings.
    private let records: [Record]
    /// For IPv4: per /16, the segment holding its first address, so a lookup searches only
    /// the few segments of one /16 instead of the whole table.
    private let v4Directory: [Int32]
    /// The same for IPv6, per /16 of the address.
    private let v6Directory: [Int32]
    /// Number of ranges the table was built from.
    public let rangeCount: Int

    /// What a lookup found: the most specific range containing the address, with what it
    /// inherited from the ranges around it.
    public final class Record: Sendable {
        /// The merged knowledge about the address.
        public let info: IPRangeInfo
        /// The range.
        public let start: IPAddress, end: IPAddress

        init(info: IPRangeInfo, start: IPAddress, end: IPAddress) {
            self.info = info
            self.start = start
            self.end = end
        }

        /// The covering CIDR network.
        public var network: String { IPRange(start: start, end: end, info: info).coveringNetwork }
    }

    /// Builds the table from ranges in any order. Ranges that overlap without nesting (a
    /// data error) are treated as if the later one were nested in the earlier.
    public init(_ input: [IPRange]) {
        rangeCount = input.count
        // Larger ranges first at the same start, so nested ones are pushed after them.
        let sorted = input.filter { !($0.end < $0.start) }.sorted { a, b in
            if a.start != b.start { return a.start < b.start }
            return b.end < a.end
        }
        var starts: [UInt64] = []
        var segments: [Int32] = []
        var infos: [IPRangeInfo] = []
        var ranges: [(start: IPAddress, end: IPAddress)] = []
        // Stack of open ranges with their merged info (inherited from enclosing ranges).
        var stack: [(end: IPAddress, info: Int32)] = []

        func emit(_ at: IPAddress, _ info: Int32) {
            if let lastIndex = segments.indices.last, segments[lastIndex] == info { return }
            if let lastStart = starts.count >= 2 ? IPAddress(high: starts[starts.count - 2], low: starts[starts.count - 1]) : nil, lastStart == at {
                segments[segments.count - 1] = info
                return
            }
            starts.append(at.high)
            starts.append(at.low)
            segments.append(info)
        }

        func closeUntil(_ limit: IPAddress?) {
            // Pop every range that ends before `limit`, emitting what resumes after it.
            while let top = stack.last, limit == nil || top.end < limit! {
                stack.removeLast()
                let after = top.end.successor
                if top.end.high == UInt64.max && top.end.low == UInt64.max { continue }
                emit(after, stack.last?.info ?? -1)
            }
        }

        for range in sorted {
            closeUntil(range.start)
            var merged = range.info
            if let parent = stack.last?.info {
                let inherited = infos[Int(parent)]
                if merged.asn == nil {
                    merged.asn = inherited.asn
                    merged.description = merged.description ?? inherited.description
                }
                if merged.country == nil { merged.country = inherited.country }
            }
            infos.append(merged)
            ranges.append((range.start, range.end))
            let index = Int32(infos.count - 1)
            emit(range.start, index)
            stack.append((range.end, index))
        }
        closeUntil(nil)
        self.starts = starts
        self.segments = segments
        self.records = zip(infos, ranges).map { Record(info: $0, start: $1.start, end: $1.end) }
        var directory = [Int32](repeating: 0, count: 65_537)
        for bucket in 0...65_536 {
            let first = bucket == 65_536 ? IPAddress(v4: UInt32.max).successor : IPAddress(v4: UInt32(bucket) << 16)
            directory[bucket] = Int32(IPTable.upperBound(starts, first, 0, segments.count))
        }
        v4Directory = directory
        var v6 = [Int32](repeating: 0, count: 65_537)
        for bucket in 0...65_536 {
            let first = bucket == 65_536 ? IPAddress(high: UInt64.max, low: UInt64.max).successor : IPAddress(high: UInt64(bucket) << 48, low: 0)
            v6[bucket] = Int32(bucket == 65_536 ? segments.count : IPTable.upperBound(starts, first, 0, segments.count))
        }
        v6Directory = v6
    }

    /// The number of segments in `low..<high` whose start is at or before `address`, plus `low`.
    @inline(__always)
    static func upperBound(_ starts: [UInt64], _ address: IPAddress, _ low: Int, _ high: Int) -> Int {
        var low = low
        var high = high
        while low < high {
            let middle = (low + high) >> 1
            let h = starts[middle * 2]
            let l = starts[middle * 2 + 1]
            if h < address.high || (h == address.high && l <= address.low) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// What is known about `address`, or `nil`.
    public func lookup(_ address: IPAddress) -> Record? {
        // The last segment whose start is at or before the address.
        let low: Int
        if let v4 = address.v4Value {
            let bucket = Int(v4 >> 16)
            low = IPTable.upperBound(starts, address, max(0, Int(v4Directory[bucket]) - 1), Int(v4Directory[bucket + 1]))
        } else {
            let bucket = Int(address.high >> 48)
            low = IPTable.upperBound(starts, address, max(0, Int(v6Directory[bucket]) - 1), Int(v6Directory[bucket + 1]))
        }
        guard low > 0 else { return nil }
        let index = segments[low - 1]
        guard index >= 0 else { return nil }
        return records[Int(index)]
    }

    /// Disjoint segments in the table (for figures).
    public var segmentCount: Int { segments.count }
}
