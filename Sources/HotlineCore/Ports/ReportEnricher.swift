/// Adds facts about a report before the rules run (hosting, registrar, …).
///
/// An enricher that needs the network should do its slow work before the batch's write
/// transaction; the pipeline calls `enrich` inside it.
public protocol ReportEnricher: Sendable {
    /// Does the slow work for a batch of URLs (network lookups) before its transaction
    /// starts, so that `enrich` only reads what this left ready.
    func prepare(_ urls: [CanonicalURL])
    /// Sets the facts this enricher knows for `report`.
    func enrich(_ report: Report, facts: inout Facts)
}

extension ReportEnricher {
    /// Nothing to prepare.
    public func prepare(_ urls: [CanonicalURL]) {}
}
