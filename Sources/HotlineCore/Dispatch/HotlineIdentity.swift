/// Who the gateway sends as: the hotline's name and addresses, in every notice and in the
/// X-ARF `reporter` and `sender`.
public struct HotlineIdentity: Hashable, Sendable {
    /// The hotline's name.
    public var name: String
    /// The address notices come from (and replies go to).
    public var email: String
    /// The hotline's domain, for X-ARF and Message-IDs.
    public var domain: String
    /// A web page about the hotline, for the notice text.
    public var website: String

    /// Creates an identity.
    public init(name: String, email: String, domain: String, website: String = "") {
        self.name = name
        self.email = email
        self.domain = domain
        self.website = website
    }
}
