import Foundation
import HotlineCore
import Hummingbird
import NIOCore

/// Open connections per peer address and in all: a connection past either limit is closed as
/// soon as it is set up, before a byte of it is read. Without it 20,000 idle connections from
/// one client used up the file descriptors. Addresses of a trusted proxy are not counted per
/// peer (every client behind it shares them).
final class ConnectionCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var byPeer: [String: Int] = [:]
    private var total = 0
    let perPeer: Int
    let maximum: Int
    let trustedProxies: [IPNetwork]

    init(perPeer: Int, maximum: Int, trustedProxies: [IPNetwork]) {
        self.perPeer = perPeer
        self.maximum = maximum
        self.trustedProxies = trustedProxies
    }

    /// Takes a place for `peer`; false when a limit is reached (nothing is taken then).
    func open(_ peer: String) -> Bool {
        let proxied = IPAddress(peer).map { address in trustedProxies.contains { $0.contains(address) } } ?? false
        lock.lock()
        defer { lock.unlock() }
        guard total < maximum, proxied || byPeer[peer, default: 0] < perPeer else { return false }
        total += 1
        byPeer[peer, default: 0] += 1
        return true
    }

    /// Gives `peer`'s place back.
    func close(_ peer: String) {
        lock.lock()
        defer { lock.unlock() }
        total -= 1
        let left = byPeer[peer, default: 1] - 1
        // Peers with nothing open are forgotten, so the table never grows with old peers.
        byPeer[peer] = left > 0 ? left : nil
    }

    /// Open connections now, for the tests and metrics.
    var open: (total: Int, peers: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (total, byPeer.count)
    }
}

/// The channel handler that holds a connection's place in ``ConnectionCounts``.
final class ConnectionLimiter: ChannelInboundHandler, RemovableChannelHandler {
    // What passes is never unwrapped here, only forwarded.
    typealias InboundIn = Any
    typealias InboundOut = Any

    private let counts: ConnectionCounts
    private var peer: String?

    init(counts: ConnectionCounts) { self.counts = counts }

    func handlerAdded(context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counts.open(address) else {
            context.close(promise: nil)
            return
        }
        peer = address
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let peer { counts.close(peer) }
        peer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Closed for being over a limit: nothing it sent is handled.
        guard peer != nil else { return }
        context.fireChannelRead(data)
    }
}
