import Foundation
import HotlineCore

/// A DNS server to ask: an address and a port.
public struct Nameserver: Hashable, Sendable, CustomStringConvertible {
    /// The server's address.
    public var address: IPAddress
    /// Its port (53 unless given).
    public var port: UInt16

    /// Creates a nameserver.
    public init(address: IPAddress, port: UInt16 = 53) {
        self.address = address
        self.port = port
    }

    /// Reads `ADDRESS`, `ADDRESS:PORT` or `[IPV6]:PORT`.
    public init?(_ text: String) {
        if let address = IPAddress(text) {
            self.init(address: address)
            return
        }
        var host = text
        var portText = ""
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(after: close)...].dropFirst())
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        guard let address = IPAddress(host), let port = UInt16(portText), port > 0 else { return nil }
        self.init(address: address, port: port)
    }

    /// `ADDRESS`, or `ADDRESS:PORT` (IPv6 in brackets) when the port is not 53.
    public var description: String {
        port == 53 ? "\(address)" : (address.isV4 ? "\(address):\(port)" : "[\(address)]:\(port)")
    }
}

/// DNS for hosting resolution: `dns:` in the config, `--dns` on the command line.
public enum DNSSetting: Hashable, Sendable {
    /// No lookups: only IP-literal hosts resolve.
    case off
    /// The system's resolvers (`/etc/resolv.conf`).
    case system
    /// These servers, in order.
    case servers([Nameserver])

    /// Reads `off`, `system` or one or more nameservers; `nil` for anything else.
    public init?(_ values: [String]) {
        if values.isEmpty || values == ["off"] {
            self = .off
            return
        }
        if values == ["system"] {
            self = .system
            return
        }
        var servers: [Nameserver] = []
        for text in values {
            guard let server = Nameserver(text) else { return nil }
            servers.append(server)
        }
        self = .servers(servers)
    }
}

/// RDAP for abuse contacts and registrars: `rdap:` in the config, `--rdap` on the command line.
public enum RDAPSetting: Hashable, Sendable {
    /// No lookups.
    case off
    /// The server IANA's bootstrap files name for each range and domain.
    case bootstrap
    /// One server for everything (tests, a local mirror): its base URL.
    case server(String)

    /// Reads `off`, `bootstrap` or an http(s) base URL; `nil` for anything else.
    public init?(_ text: String) {
        switch text {
        case "off": self = .off
        case "bootstrap": self = .bootstrap
        default:
            guard text.hasPrefix("http://") || text.hasPrefix("https://"), (try? URLCanonicalizer.canonicalize(text)) != nil else { return nil }
            self = .server(text)
        }
    }
}
