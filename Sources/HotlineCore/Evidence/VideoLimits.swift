/// Bounds on one video, against files made to exhaust the decoder: what a fetched or listed
/// video may be before it is refused rather than hashed.
public struct VideoLimits: Hashable, Sendable {
    /// Bytes of the file.
    public var maximumBytes: Int
    /// Seconds of video, by the container and by the frames decoded.
    public var maximumSeconds: Double
    /// Frames decoded (every frame is decoded, though one a second is hashed).
    public var maximumDecodedFrames: Int
    /// Pixels per frame.
    public var maximumPixels: Int

    /// Creates limits.
    public init(maximumBytes: Int, maximumSeconds: Double, maximumDecodedFrames: Int, maximumPixels: Int) {
        self.maximumBytes = maximumBytes
        self.maximumSeconds = maximumSeconds
        self.maximumDecodedFrames = maximumDecodedFrames
        self.maximumPixels = maximumPixels
    }

    /// 512 MiB, two hours, 60 frames a second for those two hours, 4K.
    public static let standard = VideoLimits(
        maximumBytes: 512 << 20, maximumSeconds: 7200, maximumDecodedFrames: 7200 * 60, maximumPixels: 4096 * 2304)
}
