import FlyingFox
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GraphRec
import RecShell
import Testing
import TestSupport
@testable import RecServe

/// Where the tests find ML-100K and the built binary.
enum ServeTestData {
    /// `RECSH_TEST_DATA`, else `../shared/data/ml-100k` beside the package root.
    static var directory: String { TestData.ml100k }

    static var available: Bool { TestData.ml100kAvailable }

    /// `make test` builds the product first; it sits beside the test bundle.
    static var binary: String? { Recsh.binary }

    /// The commands that build the small trained session every serve test uses.
    static var sessionScript: String {
        "load ml-100k path=\"\(directory)\"; split warm; train gcn epochs=1 hidden=32 dim=16 negatives=2; "
            + "train gat epochs=1 hidden=16 dim=16 negatives=2"
    }

    /// ML-100K split warm with a GCN and a GAT trained one epoch each, built once
    /// through the shell itself.
    static let session: Result<Session, any Error> = Result {
        let shell = Shell(registry: .standard, environment: .plain)
        var errors = ""
        shell.writeOut = { _ in }
        shell.writeErr = { errors += $0 }
        guard shell.run(line: sessionScript) else { throw ShellError.message("fixture session failed: \(errors)") }
        return shell.session
    }

    static func api() throws -> SessionAPI {
        var registry = CommandRegistry.standard
        registry.add(ServeCommand.spec)
        return SessionAPI(session: try session.get(), registry: registry)
    }
}

/// A decoded JSON answer.
struct Reply {
    var status: Int
    var object: [String: Any]
    var text: String

    var ok: Bool? { object["ok"] as? Bool }
    var error: String { object["error"] as? String ?? "" }
}

extension PageRoutes {
    /// Sends one request through the handler as the server decodes it:
    /// `target` is the raw request target ("/api/user?arg=1").
    func send(_ method: HTTPMethod, _ target: String, body: String? = nil) async throws -> Reply {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let request = HTTPRequest(method: method, version: .http11,
                                  target: .init(path: parts[0], query: parts.count > 1 ? parts[1] : ""),
                                  headers: HTTPHeaders(), body: HTTPBodySequence(data: Data((body ?? "").utf8)))
        let response = try await handleRequest(request)
        return try Reply(status: response.statusCode.code, data: await response.bodyData)
    }
}

extension Reply {
    init(status: Int, data: Data) throws {
        self.status = status
        self.text = String(decoding: data, as: UTF8.self)
        self.object = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}

/// A real loopback request, for what only a socket shows (raw paths, large bodies).
func loopback(_ server: PageServer, _ method: String, _ path: String, body: Data? = nil) async throws -> Reply {
    let url = try #require(URL(string: "http://127.0.0.1:\(server.port)" + path))
    var request = URLRequest(url: url)
    request.httpMethod = method
    request.httpBody = body
    request.timeoutInterval = 120
    if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    return try Reply(status: http.statusCode, data: data)
}

/// Raw bytes over a socket: URLSession cleans `..` out of a path before sending it.
func rawRequest(port: Int, _ text: String) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ShellError.message("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw ShellError.message("connect failed") }
    // A server that never answers fails the test after a minute instead of hanging the suite.
    var timeout = timeval(tv_sec: 60, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let bytes = Array(text.utf8)
    guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw ShellError.message("send failed") }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        reply += buffer[0..<n]
    }
    return String(decoding: reply, as: UTF8.self)
}
