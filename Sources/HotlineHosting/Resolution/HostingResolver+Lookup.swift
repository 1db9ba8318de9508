import HotlineCore

extension HostingResolver: HostingLookup {
    /// The decision's facts with `hosting.*` replaced by what the chain says now. Without any
    /// live source (DNS, RDAP) the answer could only repeat the tables, so `nil`.
    public func refreshHosting(host: String, facts: Facts) -> Facts? {
        guard addressResolver != nil || contactLookup != nil else { return nil }
        var refreshed = facts
        for fact in Fact.allCases where fact.name.hasPrefix("hosting.") { refreshed[fact] = nil }
        resolve(host: host).apply(to: &refreshed)
        return refreshed
    }
}
