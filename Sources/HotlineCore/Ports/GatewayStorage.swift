import Foundation

/// Everything the gateway keeps, on whichever database the config names: one port per
/// capability, together. The CLI and the server hold the store as `any GatewayStorage`;
/// SQLite and PostgreSQL implement it in HotlineStore, and HotlineTesting has it in memory.
public protocol GatewayStorage: ReportStore, NoticeStore, EvidenceStore, CaseStore, TokenStore, SessionStore, AuditLog, MailLog, AddressHealthStore,
    MonitorReads,
    ContactRetention,
    HashListStore, IPRangeStore, StoreFailureClassifying, VerdictStore, HoldStore, CaseTakeStore, DisputeStore, ContactChangeStore,
    ExplanationStore, PublicationStore, ASRelationshipStore, ExternalHashStore, HashSyncStore
{}

extension GatewayStorage {
    /// The report pipeline's view of this store (whichever database it is on).
    public var reportStore: AnyReportStore { AnyReportStore(self) }
}
