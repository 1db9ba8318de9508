/// The type of a field in the fact schema.
public enum FactType: String, Hashable, Sendable {
    /// Text.
    case string
    /// A number.
    case number
    /// `true` or `false`.
    case bool
    /// A length of time (`24h`).
    case duration
    /// An IP address; `in` also accepts CIDR networks.
    case ip
    /// Several IP addresses; `in` holds when any of them is in the networks.
    case ipList = "ip list"
}

/// One fact's value.
public enum FactValue: Hashable, Sendable, CustomStringConvertible {
    /// Text.
    case string(String)
    /// A number.
    case number(Double)
    /// A boolean.
    case bool(Bool)
    /// A length of time.
    case duration(TimeSpan)
    /// An IP address.
    case ip(IPAddress)
    /// Several IP addresses.
    case ips([IPAddress])

    /// The value's type.
    public var type: FactType {
        switch self {
        case .string: .string
        case .number: .number
        case .bool: .bool
        case .duration: .duration
        case .ip: .ip
        case .ips: .ipList
        }
    }

    /// The value as the rule language would write it.
    public var description: String {
        switch self {
        case .string(let value): JSONValue.string(value).serialized
        case .number(let value): JSONValue.number(value).serialized
        case .bool(let value): value ? "true" : "false"
        case .duration(let value): value.description
        case .ip(let value): value.description
        case .ips(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// The value as JSON: durations and addresses as their text.
    public var json: JSONValue {
        switch self {
        case .string(let value): .string(value)
        case .number(let value): .number(value)
        case .bool(let value): .bool(value)
        case .duration(let value): .string(value.description)
        case .ip(let value): .string(value.description)
        case .ips(let values): .array(values.map { .string($0.description) })
        }
    }

    /// Reads a value of `type` from JSON as ``json`` writes it; `nil` when it does not fit.
    public init?(json: JSONValue, as type: FactType) {
        switch (type, json) {
        case (.string, .string(let value)): self = .string(value)
        case (.number, .number(let value)): self = .number(value)
        case (.bool, .bool(let value)): self = .bool(value)
        case (.duration, .string(let text)):
            guard let span = TimeSpan(text) else { return nil }
            self = .duration(span)
        case (.ip, .string(let text)):
            guard let address = IPAddress(text) else { return nil }
            self = .ip(address)
        case (.ipList, .array(let items)):
            var addresses: [IPAddress] = []
            for item in items {
                guard let text = item.stringValue, let address = IPAddress(text) else { return nil }
                addresses.append(address)
            }
            self = .ips(addresses)
        default: return nil
        }
    }
}
