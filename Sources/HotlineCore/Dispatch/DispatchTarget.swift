/// Who a notice or forward goes to, as a rule names it: `hosting`, `registrar`, `upstream`,
/// `partner`, `police` or `contact:ID`. Stored and shown as that text.
public enum DispatchTarget: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The hoster's abuse desk (`hosting.abuse_email`).
    case hosting
    /// The registrar's abuse desk (`registrar.abuse_email`).
    case registrar
    /// Whoever the hoster answers to: the directory entry's `escalation` addresses.
    case upstream
    /// The partner hotline in the hosting country (`hosting.partner_hotline`).
    case partner
    /// Law enforcement.
    case police
    /// A named entry of the contact directory.
    case contact(String)

    /// Parses the text form; `nil` for anything else.
    public init?(_ text: String) {
        switch text {
        case "hosting": self = .hosting
        case "registrar": self = .registrar
        case "upstream": self = .upstream
        case "partner": self = .partner
        case "police": self = .police
        default:
            guard text.hasPrefix("contact:"), text.count > 8 else { return nil }
            self = .contact(String(text.dropFirst(8)))
        }
    }

    /// A target `notify` may name: `hosting`, `registrar`, `upstream` or `contact:NAME`.
    public static func notify(_ text: String) -> DispatchTarget? {
        guard let target = DispatchTarget(text), target.acceptsNotices else { return nil }
        return target
    }

    /// A target `forward` may name: `partner`, `police` or `contact:NAME`.
    public static func forward(_ text: String) -> DispatchTarget? {
        guard let target = DispatchTarget(text), target.acceptsForwards else { return nil }
        return target
    }

    /// Whether a notice to remove can go here (the parties that can act on the material).
    public var acceptsNotices: Bool {
        switch self {
        case .hosting, .registrar, .upstream, .contact: true
        case .partner, .police: false
        }
    }

    /// Whether a report can be forwarded here (the parties that take cases over).
    public var acceptsForwards: Bool {
        switch self {
        case .partner, .police, .contact: true
        case .hosting, .registrar, .upstream: false
        }
    }

    /// The text form.
    public var description: String {
        switch self {
        case .hosting: "hosting"
        case .registrar: "registrar"
        case .upstream: "upstream"
        case .partner: "partner"
        case .police: "police"
        case .contact(let name): "contact:\(name)"
        }
    }

    /// Decodes the text form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let target = DispatchTarget(text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "unknown target \(text)"))
        }
        self = target
    }

    /// Encodes the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
