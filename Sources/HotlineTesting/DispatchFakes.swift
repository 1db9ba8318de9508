import Foundation
import HotlineCore

/// A ``NoticeTransport`` that records what it is asked to deliver and fails as scripted.
public final class RecordingTransport: NoticeTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var delivered: [OutboxMessage] = []
    private var attempts: [OutboxMessage] = []
    private var script: [Result<String, DeliveryError>] = []

    /// A transport that accepts everything until told otherwise.
    public init() {}

    /// The next attempts get these results, in order; after them, success.
    public func script(_ results: [Result<String, DeliveryError>]) {
        lock.lock()
        script += results
        lock.unlock()
    }

    /// Messages accepted, in order.
    public var deliveredMessages: [OutboxMessage] {
        lock.lock()
        defer { lock.unlock() }
        return delivered
    }

    /// Every attempt, failed ones included.
    public var attemptedMessages: [OutboxMessage] {
        lock.lock()
        defer { lock.unlock() }
        return attempts
    }

    /// Delivers one message; returns what the server said.
    public func deliver(_ message: OutboxMessage) throws(DeliveryError) -> String {
        lock.lock()
        defer { lock.unlock() }
        attempts.append(message)
        if !script.isEmpty {
            switch script.removeFirst() {
            case .failure(let error): throw error
            case .success(let receipt):
                delivered.append(message)
                return receipt
            }
        }
        delivered.append(message)
        return "250 accepted"
    }
}

/// A ``URLChecking`` fake: each URL answers from its queue of results, then its last one
/// forever (online when nothing was scripted).
public final class ScriptedURLChecker: URLChecking, @unchecked Sendable {
    private let lock = NSLock()
    private var scripts: [String: [URLCheck]] = [:]
    private var counts: [String: Int] = [:]

    /// A checker that finds everything online.
    public init() {}

    /// `url` answers `results` in order, then the last one.
    public func script(_ url: String, _ results: [URLCheck]) {
        lock.lock()
        scripts[url] = results
        lock.unlock()
    }

    /// Checks made per URL.
    public func checks(of url: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[url, default: 0]
    }

    /// Checks `url`; never keeps what it fetched.
    public func check(_ url: String) -> URLCheck {
        lock.lock()
        defer { lock.unlock() }
        counts[url, default: 0] += 1
        guard var queue = scripts[url], let first = queue.first else { return .online(digests: nil, detail: "HTTP 200") }
        if queue.count > 1 {
            queue.removeFirst()
            scripts[url] = queue
        }
        return first
    }
}

/// A ``RecipientDirectory`` for tests: `hosting` is `hosting.abuse_email` with the channel
/// and language given; other targets come from a fixed map.
public struct FixedRecipients: RecipientDirectory {
    /// Recipients by target.
    public var byTarget: [DispatchTarget: Recipient]
    /// The hosting recipient's channel.
    public var hostingChannel: DeliveryChannel
    /// Its endpoint, for webhooks.
    public var hostingEndpoint: String?

    /// Creates the fake.
    public init(_ byTarget: [DispatchTarget: Recipient] = [:], hostingChannel: DeliveryChannel = .email, hostingEndpoint: String? = nil) {
        self.byTarget = byTarget
        self.hostingChannel = hostingChannel
        self.hostingEndpoint = hostingEndpoint
    }

    /// The recipient for `target` (`hosting`, `registrar`, `upstream`, `partner`, `police`,
    /// `contact:ID`), or `nil` when nobody is known.
    public func recipient(for target: DispatchTarget, facts: Facts) -> Recipient? {
        if target == .hosting, let email = facts.string(.hostingAbuseEmail) {
            let name = facts.string(.hostingOrg) ?? email
            return Recipient(
                target: target, name: name, addresses: [email], language: "en", channel: hostingChannel, endpoint: hostingEndpoint,
                secretEnvironment: hostingChannel == .webhook ? "TEST_SECRET" : nil)
        }
        return byTarget[target]
    }
}

/// A ``HostingLookup`` fake: hosts listed here have moved to the given abuse address.
public final class MovedHosting: HostingLookup, @unchecked Sendable {
    private let lock = NSLock()
    private var moves: [String: (email: String, org: String)] = [:]

    /// Nothing moved.
    public init() {}

    /// `host` now has this abuse desk.
    public func move(_ host: String, to email: String, org: String) {
        lock.lock()
        moves[host] = (email, org)
        lock.unlock()
    }

    /// The current `hosting.*` facts of `host` merged into `facts`; `nil` when it cannot
    /// be looked up now (the decision's facts then stand).
    public func refreshHosting(host: String, facts: Facts) -> Facts? {
        lock.lock()
        defer { lock.unlock() }
        guard let move = moves[host] else { return facts }
        var refreshed = facts
        refreshed[.hostingAbuseEmail] = .string(move.email)
        refreshed[.hostingOrg] = .string(move.org)
        return refreshed
    }
}
