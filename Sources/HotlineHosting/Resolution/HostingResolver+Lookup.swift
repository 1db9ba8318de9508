import HotlineCore

extension HostingResolver: HostingLookup {
    /// The decision's facts with `hosting.*` replaced by what the chain says now. Without any
    /// live source (DNS, RDAP) the answer could only repeat the tables, so `nil`.
    public func refreshHosting(host: String, facts: Facts) -> Facts? {
        guard addressResolver != nil || contactLookup != nil else { return nil }
        var refreshed = facts
        for field in facts.schema.fields where field.name.hasPrefix("hosting.") { refreshed[field.name] = nil }
        resolve(host: host).apply(to: &refreshed)
        return refreshed
    }
}
