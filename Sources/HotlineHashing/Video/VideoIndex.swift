import HotlineCore

/// The listed videos in memory, compared with a fetched video as vPDQ does: every listed
/// video's frames against the query's, since vPDQ hashes are of varying length and have no
/// index that finds every match (python-threatexchange's brute-force matcher does the same).
public struct VideoIndex: Sendable {
    struct Listed: Sendable {
        let id: String
        let list: String
        let classification: HashClassification
        let frames: [PDQHash]
    }

    let videos: [Listed]

    /// Listed videos.
    public var count: Int { videos.count }

    /// An index of `entries`.
    public init(_ entries: [ActiveVideoEntry] = []) {
        videos = entries.compactMap { entry in
            let frames = VPDQ.prepared(entry.video.frames)
            return frames.isEmpty ? nil : Listed(id: entry.id, list: entry.list, classification: entry.classification, frames: frames)
        }
    }

    /// The best listed video for `video`: a match of the gravest classification (then the
    /// largest share of the query), else the closest that did not match; `nil` when nothing
    /// is listed or the video has no frame of quality.
    public func closest(to video: VideoHash) -> (comparison: VideoComparison, list: String, classification: HashClassification)? {
        let query = VPDQ.prepared(video.frames)
        guard !query.isEmpty else { return nil }
        var best: (comparison: VideoComparison, list: String, classification: HashClassification, rank: Int)?
        for listed in videos {
            let shares = VPDQ.compare(prepared: query, listed.frames)
            let matched = shares.matches()
            let rank = matched ? HashIndex.classifications.firstIndex(of: listed.classification)! : Int.max
            let comparison = VideoComparison(matched: matched, queryShare: shares.query, targetShare: shares.target, id: listed.id)
            if let current = best {
                if rank > current.rank || (rank == current.rank && shares.query <= current.comparison.queryShare) { continue }
            }
            best = (comparison, listed.list, listed.classification, rank)
        }
        return best.map { ($0.comparison, $0.list, $0.classification) }
    }
}
