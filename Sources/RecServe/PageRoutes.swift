import Dispatch
import FlyingFox
import Foundation
import RecShell

/// Every request the server answers: the page's own assets, and
/// `/api/<command>` through `SessionAPI`. Anything else is a 4xx JSON error
/// (`{"ok":false,"error":...}`, the shell's error shape) and touches nothing.
///
///     GET  /                      the page
///     GET  /assets/NAME           one of `PageAssets.files`, nothing else
///     GET  /api/COMMAND?arg=1&arg=why&model=gat
///     POST /api/COMMAND           {"args": ["1", "why"], "options": {"model": "gat"}}
public struct PageRoutes: HTTPHandler {
    /// Larger bodies are refused before they are read (a call is a few hundred bytes).
    public static let bodyLimit = 16 * 1024

    let api: SessionAPI
    /// Commands run one at a time, off the server's threads: the engine's
    /// kernels use both cores, and a long command must not stall the sockets.
    let queue = DispatchQueue(label: "recsh.serve.commands")
    /// Requests answered, for `serve`'s summary.
    let counter = Locked(0)

    public init(api: SessionAPI) {
        self.api = api
    }

    public func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        counter.update { $0 += 1 }
        let rawPath = request.target.path(percentEncoded: false)
        if rawPath.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0 == "." }) {
            return Self.json(400, Self.errorObject("path '\(rawPath)' has a '.' or '..' segment; only the page's own files are served"))
        }
        let path = request.path
        if path == "/api" || path.hasPrefix("/api/") {
            return await apiResponse(request, command: String(path.dropFirst("/api/".count)))
        }
        guard request.method == .GET || request.method == .HEAD else {
            return Self.json(405, Self.errorObject("\(request.method.rawValue) \(path): only GET is served outside /api/"))
        }
        let name = path == "/" ? "index.html" : (path.hasPrefix("/assets/") ? String(path.dropFirst("/assets/".count)) : "")
        guard let asset = PageAssets.files[name] else {
            return Self.json(404, Self.errorObject("no such page: \(path) (the page is at /)"))
        }
        return HTTPResponse(statusCode: .ok,
                            headers: [.contentType: asset.contentType, HTTPHeader("Cache-Control"): "no-store"],
                            body: Data(asset.text.utf8))
    }

    // MARK: /api/

    func apiResponse(_ request: HTTPRequest, command: String) async -> HTTPResponse {
        guard !command.isEmpty, !command.contains("/") else {
            return Self.json(404, Self.errorObject("expected /api/COMMAND, e.g. /api/models"))
        }
        let call: SessionAPI.Call
        switch request.method {
        case .GET:
            var arguments: [String] = []
            var options: [String: String] = [:]
            for item in request.query {
                if item.name == "arg" {
                    arguments.append(item.value)
                } else if options[item.name] != nil {
                    return Self.json(400, Self.errorObject("\(command): option '\(item.name)' given twice", command: command))
                } else {
                    options[item.name] = item.value
                }
            }
            call = SessionAPI.Call(command: command, arguments: arguments, options: options)
        case .POST:
            let body: Data
            switch await Self.readBody(request, limit: Self.bodyLimit) {
            case .tooLarge(let size):
                return Self.json(413, Self.errorObject("request body of \(size.map { "\($0) bytes" } ?? "more than \(Self.bodyLimit) bytes") "
                    + "is over the limit of \(Self.bodyLimit) bytes", command: command))
            case .failed(let reason):
                return Self.json(400, Self.errorObject("request body could not be read: \(reason)", command: command))
            case .read(let data):
                body = data
            }
            do {
                call = try Self.decodeCall(body, command: command)
            } catch {
                return Self.json(400, Self.errorObject("\(command): \(error)", command: command))
            }
        default:
            return Self.json(405, Self.errorObject("\(request.method.rawValue) /api/\(command): use GET or POST", command: command))
        }
        let api = self.api
        let answer = await withCheckedContinuation { (done: CheckedContinuation<SessionAPI.Answer, Never>) in
            queue.async { done.resume(returning: api.answer(call)) }
        }
        return Self.json(answer.status, answer.json)
    }

    enum Body {
        case read(Data)
        /// The declared size, when the request declared one.
        case tooLarge(Int?)
        case failed(String)
    }

    /// The body, read only up to `limit` bytes: a declared length over the
    /// limit is refused unread, a chunked body as soon as it passes it.
    static func readBody(_ request: HTTPRequest, limit: Int) async -> Body {
        // A body over the limit is still read to its end (and dropped): left
        // on the connection, its bytes would be parsed as the next request.
        if let count = request.bodySequence.count, count > limit {
            do { for try await _ in request.bodySequence {} } catch { return .failed(String(describing: error)) }
            return .tooLarge(count)
        }
        var data = Data()
        var over = false
        do {
            for try await chunk in request.bodySequence where !over {
                data.append(chunk)
                if data.count > limit { over = true; data = Data() }
            }
            if over { return .tooLarge(nil) }
        } catch {
            return .failed(String(describing: error))
        }
        return .read(data)
    }

    /// `{"args": [...], "options": {...}}`; strings and numbers are taken
    /// as the words a user would type. An empty body is a call
    /// without arguments.
    static func decodeCall(_ body: Data, command: String) throws -> SessionAPI.Call {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return SessionAPI.Call(command: command)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body)
        } catch {
            throw CallError("the body is not valid JSON (expected {\"args\": [...], \"options\": {...}})")
        }
        guard let dictionary = object as? [String: Any] else {
            throw CallError("the body must be a JSON object {\"args\": [...], \"options\": {...}}")
        }
        if let key = dictionary.keys.sorted().first(where: { $0 != "args" && $0 != "options" }) {
            throw CallError("unknown key '\(key)' in the body (expected args and options)")
        }
        var arguments: [String] = []
        if let raw = dictionary["args"] {
            guard let list = raw as? [Any] else { throw CallError("'args' must be a list of words") }
            arguments = try list.map { try word($0, "args") }
        }
        var options: [String: String] = [:]
        if let raw = dictionary["options"] {
            guard let map = raw as? [String: Any] else { throw CallError("'options' must be an object of key: value") }
            for (key, value) in map { options[key] = try word(value, "options.\(key)") }
        }
        return SessionAPI.Call(command: command, arguments: arguments, options: options)
    }

    /// A JSON scalar as the word a user would type.
    static func word(_ value: Any, _ field: String) throws -> String {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        throw CallError("'\(field)' must be a string or a number")
    }

    struct CallError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: responses

    static func errorObject(_ message: String, command: String = "serve") -> String {
        JSONRenderer.render(.failure(command, message))
    }

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(statusCode: HTTPStatusCode(status, phrase: phrase(status)),
                     headers: [.contentType: "application/json; charset=utf-8", HTTPHeader("Cache-Control"): "no-store"],
                     body: Data((body + "\n").utf8))
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        default: "Error"
        }
    }
}
