import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A one-file HTTP server on 127.0.0.1 for the download tests.
///
/// It listens on a kernel-chosen port, answers every GET with `body` (or
/// `status` and an empty body), and stops by itself after `maxRequests`
/// requests or `lifetime` seconds, whichever comes first, so a failing test
/// never leaves it running. Only loopback: nothing leaves the machine.
final class DownloadTestServer: @unchecked Sendable {
    let port: UInt16
    private let socketFD: Int32
    private let body: [UInt8]
    private let status: Int
    private let delay: TimeInterval
    private let lock = NSLock()
    private var served = 0
    private var closed = false
    private let finished = DispatchSemaphore(value: 0)

    var url: URL { URL(string: "http://127.0.0.1:\(port)/ml-100k.zip")! }
    var requestCount: Int { lock.lock(); defer { lock.unlock() }; return served }

    /// `delay` holds each answer back that long (to test interrupting a download).
    init(body: [UInt8], status: Int = 200, delay: TimeInterval = 0, maxRequests: Int = 4,
         lifetime: TimeInterval = 20) throws {
        self.body = body
        self.status = status
        self.delay = delay
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        self.socketFD = fd
        let deadline = Date().addingTimeInterval(lifetime)
        Thread.detachNewThread { [self] in self.serve(maxRequests: maxRequests, deadline: deadline) }
    }

    /// Waits until the server has stopped (after its last request or its lifetime).
    func stop() {
        lock.lock()
        if !closed { shutdown(socketFD, Int32(SHUT_RDWR)) } // never touch a closed (maybe reused) descriptor
        lock.unlock()
        _ = finished.wait(timeout: .now() + 5)
    }

    private func serve(maxRequests: Int, deadline: Date) {
        defer {
            lock.lock(); close(socketFD); closed = true; lock.unlock()
            finished.signal()
        }
        while requestCount < maxRequests && Date() < deadline {
            var poller = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready < 0 || poller.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { return }
            if ready == 0 { continue }
            let client = accept(socketFD, nil, nil)
            if client < 0 { return }
            handle(client)
            lock.lock(); served += 1; lock.unlock()
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Read the request head (up to the blank line); its content does not matter.
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 65_536 {
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { break }
            request += buffer[0..<n]
            if request.count >= 4, Array(request.suffix(4)) == [13, 10, 13, 10] { break }
        }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        let payload = status == 200 ? body : []
        let reason = status == 200 ? "OK" : "Not Found"
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/zip\r\n"
            + "Content-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + payload
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }
}
