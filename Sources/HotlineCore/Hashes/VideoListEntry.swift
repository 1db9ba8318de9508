/// One video as a list holds it: its vPDQ frames, named by ``id``.
public struct VideoListEntry: Hashable, Sendable {
    /// The SHA-256 of the frames in python-threatexchange's form (``VideoHash/signalString``),
    /// lowercase hex: the same video listed twice, or by two lists, has one name, which
    /// retractions and matches quote.
    public var id: String
    /// The frames.
    public var video: VideoHash
    /// The entry's classification, or the list's default when `nil`.
    public var classification: HashClassification?

    /// Creates an entry.
    public init(id: String, video: VideoHash, classification: HashClassification? = nil) {
        self.id = id
        self.video = video
        self.classification = classification
    }
}

/// A listed video loaded for matching.
public struct ActiveVideoEntry: Hashable, Sendable {
    /// ``VideoListEntry/id``.
    public var id: String
    /// The list.
    public var list: String
    /// Entry classification, else the list default.
    public var classification: HashClassification
    /// The frames.
    public var video: VideoHash

    /// Creates one.
    public init(id: String, list: String, classification: HashClassification, video: VideoHash) {
        self.id = id
        self.list = list
        self.classification = classification
        self.video = video
    }
}
