import Foundation

/// Runs the built `recsh` binary the way users and scripts do.
public enum Recsh {
    public static var dataDirectory: String { TestData.ml100k }

    /// `swift test` builds the recsh product beside the test bundle.
    public static let binary: String? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return [dir, dir.deletingLastPathComponent()].map { $0.appendingPathComponent("recsh").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "the recsh binary is not beside the tests: build the recsh product first (make test does)" }
    }

    public struct Run {
        public var status: Int32
        /// The signal that ended the process, if one did.
        public var signal: Int32?
        /// Killed at its deadline.
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String

        /// The JSON objects on stdout, one per line.
        public var objects: [[String: Any]] {
            stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    /// Runs `recsh arguments` with `stdin`, a scratch HOME and no start-up
    /// file, and kills it after `deadline` seconds (a hang is a failure, not a
    /// slow pass). Output goes through files, so a full pipe cannot block it.
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                           deadline: Double = 1800) throws -> Run {
        guard let path = binary else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = FileManager.default.temporaryDirectory.path
        env["RECSH_RC"] = ""   // never a start-up file from the machine; tests that want one pass it
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-run-\(UUID().uuidString)")
        let out = base.appendingPathExtension("out"), err = base.appendingPathExtension("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let end = Date().addingTimeInterval(deadline)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        let timedOut = process.isRunning
        if timedOut { process.terminate() }
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal
        return Run(status: signaled ? -1 : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
                   timedOut: timedOut,
                   stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
