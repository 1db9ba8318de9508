import Foundation

/// Whether a case is still being worked on.
public enum CaseStatus: String, Hashable, Sendable {
    /// New reports for the URL join it as duplicates.
    case open
    /// Done; a new report for the URL opens a new case.
    case closed
}

/// Reports of one canonical URL, grouped.
public struct CaseRecord: Hashable, Sendable {
    /// The case's id.
    public var id: String
    /// The canonical URL all its reports share.
    public var url: String
    /// Open or closed.
    public var status: CaseStatus
    /// When the first report opened it.
    public var openedAt: Date
    /// When it was closed.
    public var closedAt: Date?
    /// How many reports it has.
    public var reportCount: Int
    /// The report that opened it.
    public var firstReportID: String

    /// Creates a case.
    public init(id: String, url: String, status: CaseStatus = .open, openedAt: Date, closedAt: Date? = nil, reportCount: Int = 1, firstReportID: String) {
        self.id = id
        self.url = url
        self.status = status
        self.openedAt = openedAt
        self.closedAt = closedAt
        self.reportCount = reportCount
        self.firstReportID = firstReportID
    }
}

/// What a decision knows about the report's case.
public struct CaseInfo: Hashable, Sendable {
    /// The case.
    public var caseID: String
    /// An open case for the URL existed before this report.
    public var isDuplicate: Bool
    /// Reports in the case, this one included.
    public var reportCount: Int
    /// When the case was opened.
    public var openedAt: Date

    /// Creates case info.
    public init(caseID: String, isDuplicate: Bool, reportCount: Int, openedAt: Date) {
        self.caseID = caseID
        self.isDuplicate = isDuplicate
        self.reportCount = reportCount
        self.openedAt = openedAt
    }
}
