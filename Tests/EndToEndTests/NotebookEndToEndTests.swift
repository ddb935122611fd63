import Foundation
import Testing
import TestSupport

/// Every notebook shipped in Sessions/ runs through the binary, as a student
/// would run it (`recsh --echo FILE`), and every command in it succeeds.
/// Slow (each trains its models on ML-100K), so the notebooks run one after
/// another in one test each.
@Suite(.serialized) struct NotebookEndToEndTests {
    static let sessionsDirectory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sessions")

    static var notebooks: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sessionsDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".recsh") }.sorted()
    }

    @Test func theLessonsAreAllThere() {
        let expected = ["attention.recsh", "cold-start.recsh", "lsh.recsh", "seed-study.recsh", "tour.recsh", "whatif.recsh"]
        #expect(Set(expected).isSubset(of: Set(Self.notebooks)), "\(Self.notebooks)")
    }

    @Test(arguments: notebooks)
    func notebookRunsToTheEndWithoutAFailure(_ name: String) throws {
        let work = FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-notebook-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let path = Self.sessionsDirectory.appendingPathComponent(name).path
        // Saved bundles go to a scratch directory, never into the repository.
        let run = try Recsh.run(["--echo", "--bail", "--data", Recsh.dataDirectory, "--sessions", work.path, path])
        #expect(run.status == 0, "\(name): \(run.stderr.suffix(2000))")
        // --echo prints each command before its output: the last command of the file ran.
        let commands = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let last = try #require(commands.last)
        #expect(run.stdout.contains(last) || run.stderr.contains(last), "\(name): '\(last)' was not echoed")
    }
}
