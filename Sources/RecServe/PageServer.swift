import FlyingFox
import FlyingSocks
import Foundation
import RecShell

/// The HTTP server behind `serve`: FlyingFox (async/await over BSD sockets)
/// listening on one address, answering with `PageRoutes`.
public final class PageServer: Sendable {
    let server: HTTPServer
    let task: Task<Void, Never>
    let routes: PageRoutes
    /// `http://HOST:PORT/`, with the port actually bound (port=0 picks one).
    public let url: String
    public let host: String
    public let port: Int

    private init(server: HTTPServer, task: Task<Void, Never>, routes: PageRoutes, host: String, port: Int) {
        self.server = server
        self.task = task
        self.routes = routes
        self.host = host
        self.port = port
        self.url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/"
    }

    /// Requests answered so far.
    public var requests: Int { routes.counter.value }

    /// Listens on `host:port` and returns once the socket accepts
    /// connections, or throws why it cannot (bad address, port in use).
    public static func start(api: SessionAPI, host: String, port: Int) async throws -> PageServer {
        let address = try socketAddress(host: host, port: port)
        let routes = PageRoutes(api: api)
        let config = HTTPServer.Configuration(address: address, timeout: 600, logger: .disabled)
        let server = HTTPServer(config: config, handler: routes)
        let failure = Locked<(any Error)?>(nil)
        let task = Task {
            do { try await server.run() } catch { failure.set(error) }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while await !server.isListening {
            if let error = failure.value {
                throw ShellError.message("serve: cannot listen on \(host):\(port): \(reason(error))")
            }
            if ContinuousClock.now > deadline {
                task.cancel()
                throw ShellError.message("serve: \(host):\(port) did not start listening within 10 seconds")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        var bound = port
        switch await server.listeningAddress {
        case .ip4(_, let p)?, .ip6(_, let p)?: bound = Int(p)
        default: break
        }
        return PageServer(server: server, task: task, routes: routes, host: host, port: bound)
    }

    /// Closes the socket and the open connections.
    public func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }

    /// An IPv4 or IPv6 address literal (`localhost` means 127.0.0.1).
    static func socketAddress(host: String, port: Int) throws -> any SocketAddress {
        guard let port = UInt16(exactly: port) else { throw ShellError.message("serve: port=\(port) is not in 0...65535") }
        do {
            if host == "localhost" { return try sockaddr_in.inet(ip4: "127.0.0.1", port: port) }
            if host.contains(":") { return try sockaddr_in6.inet6(ip6: host, port: port) }
            return try sockaddr_in.inet(ip4: host, port: port)
        } catch {
            throw ShellError.message("serve: host=\(host) is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1)")
        }
    }

    static func reason(_ error: any Error) -> String {
        if let socket = error as? SocketError, case .failed(_, let errno, let message) = socket {
            return errno == EADDRINUSE ? "the port is in use (try another port=, or port=0 for a free one)" : message
        }
        return String(describing: error)
    }
}

/// A value shared between tasks, behind a lock.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
