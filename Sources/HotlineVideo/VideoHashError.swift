/// Why a video was not hashed. Each case has a stable ``code``; none carries the file's bytes.
public enum VideoHashError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The container is not one of the formats the gateway opens, or no demuxer read it.
    case notAVideo(String)
    /// No video stream, or one whose codec is not allowed.
    case noVideoStream(String)
    /// Beyond ``VideoLimits``.
    case tooLarge(String)
    /// The decoder failed.
    case decodeFailed(String)

    /// A stable code.
    public var code: String {
        switch self {
        case .notAVideo: "video.not_a_video"
        case .noVideoStream: "video.no_stream"
        case .tooLarge: "video.too_large"
        case .decodeFailed: "video.decode_failed"
        }
    }

    /// What went wrong.
    public var description: String {
        switch self {
        case .notAVideo(let detail), .noVideoStream(let detail), .tooLarge(let detail), .decodeFailed(let detail): "\(code): \(detail)"
        }
    }
}
