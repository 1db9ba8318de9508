import Foundation
import HotlineCore
import HotlineNet

/// A loopback stand-in for NCMEC's hash-sharing API (`ncmec_server.py`), in the shape
/// python-threatexchange's NCMEC client reads: entries with paging, deletions, votes.
public final class TestNCMECServer {
    private let pid: pid_t
    /// The port.
    public let port: UInt16
    /// The password it accepts for user `hotline`.
    public let password: String

    /// Starts it with a fresh password and `pageSize` entries a page.
    public init(pageSize: Int = 3) throws {
        let password = "pw-\(UUID().uuidString)"
        self.password = password
        (pid, port) = try TestScripts.start("NCMEC test server") {
            [TestScripts.path("ncmec_server.py"), String($0), "--password", password, "--page-size", String(pageSize)]
        }
    }

    /// The script that reads it with python-threatexchange's NCMEC client.
    public static var pytxReader: String { TestScripts.path("ncmec_pytx.py") }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Publishes the next generation of changes: updates, deletions, a new entry.
    public func advance() throws {
        _ = try HTTPClient(timeout: 5).post(baseURL + "/control/advance", headers: [], body: [])
    }

    /// What it recorded: `votes` (member, id, type, vote), `requests`, `bad_auth`.
    public func state() throws -> JSONObject {
        let response = try HTTPClient(timeout: 5).get(baseURL + "/state", accept: "application/json")
        guard case .object(let object) = try JSONValue.parse(response.body) else { return JSONObject() }
        return object
    }

    deinit { TestScripts.stop(pid) }
}
