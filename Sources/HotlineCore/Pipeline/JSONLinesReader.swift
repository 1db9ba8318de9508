/// Splits a byte stream into lines for ingest, in batches of the lines that are available,
/// so that interactive input is answered line by line and files go in large batches.
///
/// The reading itself is done by the caller (a file descriptor in the CLI, a request body in
/// the server): this type only splits, which keeps the core free of I/O.
public struct JSONLinesReader: Sendable {
    /// Longest accepted line; longer lines are reported, not buffered.
    public static let defaultMaximumLineLength = 1_048_576

    /// Longest accepted line for this reader.
    public let maximumLineLength: Int
    private var pending: [UInt8] = []
    private var lineNumber = 0
    private var discarding = false

    /// Creates a reader.
    public init(maximumLineLength: Int = JSONLinesReader.defaultMaximumLineLength) {
        self.maximumLineLength = maximumLineLength
    }

    /// Adds bytes; returns the complete lines they finish. Blank lines are counted but not returned.
    public mutating func feed<Bytes: Collection<UInt8>>(_ chunk: Bytes) -> [IngestLine] {
        if let lines = chunk.withContiguousStorageIfAvailable({ feed(buffer: $0) }) { return lines }
        return Array(chunk).withUnsafeBufferPointer { feed(buffer: $0) }
    }

    private mutating func feed(buffer: UnsafeBufferPointer<UInt8>) -> [IngestLine] {
        var lines: [IngestLine] = []
        var start = 0
        while start < buffer.count {
            guard let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                appendPending(UnsafeBufferPointer(rebasing: buffer[start...]))
                break
            }
            appendPending(UnsafeBufferPointer(rebasing: buffer[start..<newline]))
            lineNumber += 1
            emit(into: &lines)
            start = newline + 1
        }
        return lines
    }

    private mutating func appendPending(_ bytes: UnsafeBufferPointer<UInt8>) {
        if discarding { return }
        if pending.count + bytes.count > maximumLineLength {
            pending.removeAll(keepingCapacity: true)
            discarding = true
            return
        }
        pending.append(contentsOf: bytes)
    }

    /// Ends the input; returns the last line if it had no line break.
    public mutating func finish() -> [IngestLine] {
        guard !pending.isEmpty || discarding else { return [] }
        lineNumber += 1
        var lines: [IngestLine] = []
        emit(into: &lines)
        return lines
    }

    private mutating func emit(into lines: inout [IngestLine]) {
        defer {
            pending.removeAll(keepingCapacity: true)
            discarding = false
        }
        if discarding {
            lines.append(IngestLine(number: lineNumber, bytes: [], isTooLong: true))
            return
        }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        if pending.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        lines.append(IngestLine(number: lineNumber, bytes: ArraySlice(pending)))
    }
}

/// One line of JSON Lines input.
public struct IngestLine: Sendable {
    /// 1-based line number in the input.
    public var number: Int
    /// The line's bytes without the line break.
    public var bytes: ArraySlice<UInt8>
    /// Whether the line was longer than the reader accepts (its bytes are then dropped).
    public var isTooLong: Bool

    /// Creates a line.
    public init(number: Int, bytes: ArraySlice<UInt8>, isTooLong: Bool = false) {
        self.number = number
        self.bytes = bytes
        self.isTooLong = isTooLong
    }
}

extension IngestInput {
    /// The report on one line of JSON Lines, parsed strictly.
    public init(_ line: IngestLine) {
        if line.isTooLong {
            self.init(
                line: line.number,
                submission: .failure(
                    ReportError(code: "too-long", message: "line is longer than the \(JSONLinesReader.defaultMaximumLineLength) bytes accepted")))
            return
        }
        self.init(line: line.number, submission: Result { () throws(ReportError) in try ReportSubmission.parse(json: line.bytes) })
    }
}
