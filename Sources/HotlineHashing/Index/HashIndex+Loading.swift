import HotlineCore

extension HashIndex {
    /// Builds the index from every enabled, unretracted entry in `store`, and its allow-list.
    public static func load(from store: some HashListStore, pdqThreshold: Int = 31) throws -> HashIndex {
        var builder = HashIndexBuilder()
        try store.forEachActiveEntry { builder.add($0) }
        try store.forEachActiveVideo { builder.addVideo($0) }
        for (algorithm, value) in try store.allowedHashes() { builder.allow(algorithm, value) }
        return builder.build(pdqThreshold: pdqThreshold)
    }
}
