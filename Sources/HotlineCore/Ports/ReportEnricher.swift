/// Adds facts about a report before the rules run (hosting, registrar, …).
///
/// An enricher that needs the network should do its slow work before the batch's write
/// transaction; the pipeline calls `enrich` inside it.
public protocol ReportEnricher: Sendable {
    /// Sets the facts this enricher knows for `report`.
    func enrich(_ report: Report, facts: inout Facts)
}
