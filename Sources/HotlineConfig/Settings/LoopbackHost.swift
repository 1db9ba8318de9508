import Foundation
import HotlineCore

/// Whether a configured host is this machine: plain-text SMTP and IMAP, and PostgreSQL
/// without TLS, are accepted only there, where nothing crosses a network.
public enum LoopbackHost {
    /// `localhost`, 127.0.0.0/8 or ::1.
    public static func contains(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" { return true }
        guard let address = IPAddress(bare) else { return false }
        return IPNetwork("127.0.0.0/8")!.contains(address) || address == IPAddress("::1")!
    }

    /// Whether `url` is `http://` to this machine.
    public static func isLoopbackURL(_ url: String) -> Bool {
        guard url.hasPrefix("http://"), let components = URLComponents(string: url), let host = components.host else { return false }
        return contains(host)
    }
}
