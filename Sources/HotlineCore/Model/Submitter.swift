/// Who handed a report to the gateway, as the gateway itself established it (a token, the
/// operator's command line, a mailbox and its authenticated sender), never as the report
/// says. Its scope is the namespace of client ids and what a reporter may read back: the
/// `source` in a report's body is a label only.
public struct Submitter: Hashable, Sendable {
    /// Who it was, for the record: `token:ID`, `cli:USER`, `mailbox:NAME`.
    public var id: String
    /// The namespace of client ids, and whose reports a reporter sees: `org:ORG` for a token
    /// of an organisation (its tokens share it), `token:ID` for one without, or nil for the
    /// operator's own files, whose client ids are scoped by the source name in them.
    public var scope: String?

    /// Creates a submitter.
    public init(id: String, scope: String?) {
        self.id = id
        self.scope = scope
    }

    /// An API token's: its organisation's scope, or its own.
    public static func token(_ token: APIToken) -> Submitter {
        Submitter(id: "token:\(token.id)", scope: token.org.map { "org:\($0)" } ?? "token:\(token.id)")
    }

    /// The operator's (files given to `hotline ingest`): client ids scoped by source name, as
    /// the operator vouches for the file.
    public static func operatorFile(_ actor: String) -> Submitter { Submitter(id: actor, scope: nil) }

    /// The namespace for `submission`'s client id (a source name as before for the
    /// operator's files, so that earlier stores keep their client ids).
    public func scope(for submission: ReportSubmission) -> String { scope ?? submission.source.name ?? "" }
}
