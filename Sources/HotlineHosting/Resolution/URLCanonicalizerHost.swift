import HotlineCore

/// Host canonicalization for data files (suffix lists, directories): the same rules as URLs.
enum URLCanonicalizerHost {
    static func canonical(_ text: String) throws(URLError) -> String {
        try URLCanonicalizer.canonicalHost(Substring(text))
    }
}
