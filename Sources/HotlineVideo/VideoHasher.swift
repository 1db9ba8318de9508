import CFFmpeg
import Foundation
import HotlineCore
import HotlineHashing

/// vPDQ of a video held in memory: FFmpeg decodes every frame (as it must, frames depend on
/// one another), one frame a second (by default) is converted and hashed with PDQ, and a
/// frame whose hash repeats the one before is left out. Frame number, quality and timestamp
/// follow Meta's `vpdq` (frame number in decoding order over the stream's frame rate).
///
/// Only the containers and codecs of ``allowedFormats`` and ``allowedCodecs`` are opened:
/// FFmpeg's demuxers include some (HLS, concat) that would open other files or URLs named
/// inside the input, and a fetched file is hostile until hashed. FFmpeg's own log is
/// silenced, since it prints text from the file.
public enum VideoHasher {
    /// The demuxers a video may be read with.
    public static let allowedFormats = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpeg,mpegts,asf,ogg"
    /// The decoders a video stream may be decoded with.
    public static let allowedCodecs: Set<String> = [
        "h264", "hevc", "vp8", "vp9", "av1", "libdav1d", "libaom-av1", "mpeg4", "mpeg1video", "mpeg2video", "mjpeg", "h263", "flv", "msmpeg4v2",
        "msmpeg4", "wmv1", "wmv2", "wmv3", "vc1", "theora", "libvpx", "libvpx-vp9",
    ]
    /// Sampled frames are converted to RGB at about this shorter side, not at full size:
    /// PDQ filters them as it would the full-size frame (``DecodedImage/sourceWidth``), and
    /// the hash stays within a few bits of Meta's full-size one (`HotlineVideoTests`) at a
    /// fraction of the conversion and filtering.
    public static let hashedSide = 384

    /// The vPDQ hash of `bytes`: one frame every `secondsPerHash` (0 hashes every frame),
    /// decoded with `threads` (0: as many as the machine has). With more than one thread and
    /// a constant frame rate, the stream is decoded in parts from keyframes, one a thread,
    /// with the same hashes (its packets are read ahead, about the file's size again); with
    /// one, as the intake does while fetching others, it is decoded as it is read.
    public static func hash(_ bytes: [UInt8], secondsPerHash: Double = 1, limits: VideoLimits = .standard, threads: Int = 0) throws(VideoHashError)
        -> VideoHash
    {
        guard bytes.count <= limits.maximumBytes else { throw .tooLarge("\(bytes.count) bytes, more than \(limits.maximumBytes)") }
        guard !bytes.isEmpty else { throw .notAVideo("no bytes") }
        guard secondsPerHash >= 0, secondsPerHash.isFinite else { throw .decodeFailed("seconds per hash must be 0 or more") }
        av_log_set_level(AV_LOG_QUIET)
        let result: Result<VideoHash, VideoHashError> = bytes.withUnsafeBytes { raw in
            let reader = MemoryReader(raw)
            do {
                let decoder = try VideoDecoder(reader: reader, limits: limits, threads: threads)
                return .success(try decoder.hashFrames(secondsPerHash: secondsPerHash))
            } catch let error as VideoHashError {
                return .failure(error)
            } catch {
                return .failure(.decodeFailed("\(error)"))
            }
        }
        return try result.get()
    }
}
