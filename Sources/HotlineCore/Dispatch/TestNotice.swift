import Foundation

/// A notice a hoster asks for to test its intake end to end: sent through its configured
/// channel, signed as real notices are, with a valid X-ARF report, and marked TEST in the
/// subject, the text and the report (`tags: ["hotline:test"]`). It names no material: its one URL is
/// on the hotline's own domain. It is a forward to the organisation's contact, so it is
/// never followed up and never counted in the removal statistics.
public enum TestNotice {
    /// The template it is written with.
    public static let template = "test-notice"

    /// The notice for `recipient` (a directory contact), ready to render and store.
    public static func make(recipient: Recipient, identity: HotlineIdentity, ids: any IDGenerator, at now: Date) -> Notice {
        let id = ids.next()
        let reference = Notice.reference(for: id)
        let url = "https://\(identity.domain)/test-notice/\(reference)"
        let item = NoticeItem(
            itemID: ids.next(),
            subject: ReportedURL(reportID: "test", caseID: "test", decisionID: "test", url: url, host: identity.domain, hashes: [:]),
            hosting: HostingSnapshot(org: recipient.name), classification: "baseline", detectionMethod: "manual_review", xarfReportID: UUIDv4.random())
        return Notice(
            id: id, reference: reference, kind: .forward, recipient: recipient, template: template, status: .pending, createdAt: now, deadlineSpan: nil,
            reason: "test notice asked for by \(recipient.contactID ?? recipient.name)", items: [item])
    }

    /// An X-ARF report of a test notice: tagged and described as a test.
    public static func marked(_ report: JSONValue, identity: HotlineIdentity) -> JSONValue {
        guard case .object(var object) = report else { return report }
        object.append("tags", .array([.string("hotline:test")]))
        object.append(
            "description", .string("TEST notice from \(identity.name): there is no material at this URL and nothing needs to be done."))
        return .object(object)
    }
}
