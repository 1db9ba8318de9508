import HotlineCore

/// An abuse address found in registry data, with how much to trust it.
///
/// Confidence (0-100), which rules read as `hosting.contact_confidence`:
/// - 90: e-mail of an entity with role `abuse` (the registry's abuse-c);
/// - 75: the network's own `abuse@` address when the `abuse` role belongs to a national IRT;
/// - 60: the national IRT itself in that case;
/// - 50: an address written in remarks next to "abuse" or "spam";
/// - 40: e-mail of another entity (registrant, administrative, technical).
public struct RDAPContact: Hashable, Sendable {
    /// The address.
    public var email: String
    /// 0-100.
    public var confidence: Int
    /// Why this address, for people reading a decision.
    public var basis: String
    /// The entity it came from, if any.
    public var entity: String?

    /// Creates a contact.
    public init(email: String, confidence: Int, basis: String, entity: String? = nil) {
        self.email = email
        self.confidence = confidence
        self.basis = basis
        self.entity = entity
    }
}

/// What an RDAP `/ip` answer says about the network.
public struct RDAPNetwork: Hashable, Sendable {
    /// The registry's handle.
    public var handle: String?
    /// The network's name.
    public var name: String?
    /// Country, uppercase.
    public var country: String?
    /// First and last address.
    public var start: IPAddress?, end: IPAddress?
    /// The enclosing network's handle, for a fallback query.
    public var parentHandle: String?
    /// The registrant's name (the hoster, usually).
    public var organisation: String?
    /// Candidate abuse addresses, best first.
    public var contacts: [RDAPContact]
    /// What was missing or odd, in words.
    public var notes: [String]

    /// The best candidate.
    public var abuseContact: RDAPContact? { contacts.first }
}

/// What an RDAP `/domain` answer says about the domain's registrar.
public struct RDAPDomain: Hashable, Sendable {
    /// The domain.
    public var name: String?
    /// The registrar's name.
    public var registrar: String?
    /// The registrar's IANA id.
    public var registrarIANAID: Int?
    /// The registrar's abuse addresses, best first.
    public var registrarContacts: [RDAPContact]
    /// What was missing.
    public var notes: [String]
}

/// Why an RDAP answer could not be read.
public struct RDAPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The registry answered that it has no such record: a finding, not a failed lookup.
    public var notFound: Bool
    /// Creates an error.
    public init(message: String, notFound: Bool = false) {
        self.message = message
        self.notFound = notFound
    }
    /// The message.
    public var description: String { message }
}
