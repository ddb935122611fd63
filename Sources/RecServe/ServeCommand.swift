import Dispatch
import Foundation
import GraphRec
import RecShell

/// `serve`: the live session as a web page. It runs until Ctrl-C and then
/// returns to the prompt; the page reads a snapshot of the session taken
/// when `serve` starts, and nothing it does changes the session.
public enum ServeCommand {
    public static let spec = CommandSpec(
        name: "serve", group: "Explore",
        summary: "Serve the session as a web page until Ctrl-C: recommendations, attention, LSH and what-ifs.",
        details: """
            Open the printed address in a browser: pick a user (or build a new one from features and likes)
            and see every trained model's top-K with why; the user's GAT attention neighbourhood as a graph
            (edge width = weight, GCN's uniform 1/|N| beside it); an LSH planes slider with recall and time;
            like/unlike toggles that re-run the what-if. The page calls /api/COMMAND, which runs the read-only
            commands (recommend, attention, lsh, whatif, newuser, user, find, ...) through the shell and returns
            their --format json object; commands that change the session, write files or run long are refused.
            Listens on 127.0.0.1 only unless host= says otherwise (host=0.0.0.0 opens it to the network).
            The shell waits while serving; Ctrl-C stops the server and returns to the prompt, session intact.
            """,
        options: [OptionSpec("port", "N", default: "8080", "TCP port; 0 picks a free one"),
                  OptionSpec("host", "ADDRESS", default: "127.0.0.1", "IP address to listen on")],
        example: "serve port=8080", handler: serve)

    static func serve(_ session: inout Session, _ command: ParsedCommand, _ context: Context) throws -> CommandResult {
        let port = try command.options.int("port", default: 8080, range: 0...65535)
        let host = command.options["host"] ?? "127.0.0.1"
        let api = SessionAPI(session: session, registry: context.registry, run: context.run,
                             environment: context.environment)
        let started = Date()
        let server = try blocking { try await PageServer.start(api: api, host: host, port: port) }
        var notice = "serving \(server.url) - open it in a browser; Ctrl-C stops serving and returns to the prompt\n"
        if host != "127.0.0.1" && host != "localhost" && host != "::1" {
            notice += "note: host=\(host) is reachable from other machines; the page has no login\n"
        }
        // The address is what the user needs now, while the command is still running.
        FileHandle.standardError.write(Data(notice.utf8))
        while !context.run.shouldStop() { usleep(50_000) }
        // A browser may hold an idle connection open; stopping waits for it only so long.
        try? blocking(timeout: 3) { await server.stop() }
        Interrupt.clear()
        let seconds = Date().timeIntervalSince(started)
        let fields: [(String, Value)] = [("url", .string(server.url)), ("requests", .int(server.requests)),
                                         ("seconds", .double(seconds))]
        return CommandResult(command: "serve",
                             blocks: [.fields(fields), .text(["stopped by Ctrl-C; the session is unchanged"])],
                             payload: [("url", .string(server.url)), ("host", .string(server.host)), ("port", .int(server.port)),
                                       ("requests", .int(server.requests)), ("seconds", .double(seconds))])
    }

    /// Runs async work from the shell's synchronous handler and waits for it.
    /// The shell calls handlers on its own thread, never on the concurrency
    /// pool the server's tasks need.
    static func blocking<T: Sendable>(timeout: Double? = nil, _ work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Locked<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { outcome.set(.success(try await work())) } catch { outcome.set(.failure(error)) }
            done.signal()
        }
        if let timeout {
            _ = done.wait(timeout: .now() + timeout)
        } else {
            done.wait()
        }
        guard let result = outcome.value else { throw ShellError.message("serve: the server did not answer in time") }
        return try result.get()
    }
}
