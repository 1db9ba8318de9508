/// One sampled frame of a video, hashed with PDQ: what vPDQ keeps of a video. The frame
/// itself never leaves the decoder's memory.
public struct VideoFrameHash: Hashable, Sendable {
    /// The frame's number in decoding order, from 0.
    public var frame: Int
    /// PDQ of the frame.
    public var pdq: PDQHash
    /// PDQ quality, 0–100.
    public var quality: Int
    /// Seconds from the start (frame number over frame rate, as vPDQ computes it).
    public var timestamp: Double

    /// Creates one.
    public init(frame: Int, pdq: PDQHash, quality: Int, timestamp: Double) {
        self.frame = frame
        self.pdq = pdq
        self.quality = quality
        self.timestamp = timestamp
    }
}

/// A video's vPDQ hash: its sampled frames, in order.
public struct VideoHash: Hashable, Sendable {
    /// The frames.
    public var frames: [VideoFrameHash]

    /// Creates one.
    public init(frames: [VideoFrameHash]) { self.frames = frames }

    /// The frames in python-threatexchange's compact form, `hex,quality,timestamp` each, as
    /// a JSON array: the signal string its vPDQ signal type reads and writes.
    public var signalString: String {
        "[" + frames.map { "\"\($0.pdq),\($0.quality),\(Self.format($0.timestamp))\"" }.joined(separator: ",") + "]"
    }

    /// Timestamps to the millisecond, as python-threatexchange keeps them.
    static func format(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// Reads python-threatexchange's vPDQ signal string (a JSON array of `hex,quality,timestamp`
    /// strings), or explains why it is not one.
    public static func parse(signal text: String) -> Result<VideoHash, VideoHashFormatError> {
        guard case .array(let items)? = try? JSONValue.parse(text) else { return .failure(.notAnArray) }
        guard !items.isEmpty else { return .failure(.empty) }
        guard items.count <= maximumFrames else { return .failure(.tooManyFrames(items.count)) }
        var frames: [VideoFrameHash] = []
        frames.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .string(let feature) = item else { return .failure(.badFeature(index: index, reason: "not a string")) }
            let parts = feature.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return .failure(.badFeature(index: index, reason: "not hex,quality,timestamp")) }
            guard parts[0].utf8.count == 64, let pdq = PDQHash(hex: String(parts[0])) else {
                return .failure(.badFeature(index: index, reason: "the PDQ hash is not 64 hex digits"))
            }
            guard let quality = Int(parts[1]), (0...100).contains(quality) else {
                return .failure(.badFeature(index: index, reason: "quality is not 0–100"))
            }
            guard let timestamp = Double(parts[2]), timestamp.isFinite, timestamp >= 0 else {
                return .failure(.badFeature(index: index, reason: "the timestamp is not a non-negative number"))
            }
            frames.append(VideoFrameHash(frame: index, pdq: pdq, quality: quality, timestamp: timestamp))
        }
        return .success(VideoHash(frames: frames))
    }

    /// More frames than this in one listed video is not a vPDQ hash anyone made (a day of
    /// video at one frame a second is 86,400).
    public static let maximumFrames = 100_000
}

/// Why a vPDQ signal string was refused.
public enum VideoHashFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not a JSON array.
    case notAnArray
    /// No frames.
    case empty
    /// More than ``VideoHash/maximumFrames``.
    case tooManyFrames(Int)
    /// Feature `index` (from 0) is malformed.
    case badFeature(index: Int, reason: String)

    /// A stable code.
    public var code: String {
        switch self {
        case .notAnArray: "vpdq.not_an_array"
        case .empty: "vpdq.empty"
        case .tooManyFrames: "vpdq.too_many_frames"
        case .badFeature: "vpdq.bad_feature"
        }
    }

    /// What is wrong, for the operator.
    public var description: String {
        switch self {
        case .notAnArray: "a vPDQ hash is a JSON array of \"hex,quality,timestamp\" strings"
        case .empty: "a vPDQ hash has at least one frame"
        case .tooManyFrames(let count): "\(count) frames, more than \(VideoHash.maximumFrames)"
        case .badFeature(let index, let reason): "frame \(index): \(reason)"
        }
    }
}
