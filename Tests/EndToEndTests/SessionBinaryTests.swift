import Foundation
import Testing
import TestSupport

/// save / restore through the built binary, across processes.
enum SessionBinary {
    static let data = Recsh.dataDirectory

    static var dataAvailable: Bool { FileManager.default.fileExists(atPath: data + "/u.data") }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("recsh-e2e-sessions-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}

@Suite(.serialized, .enabled(if: SessionBinary.dataAvailable)) struct SessionBinaryTests {
    @Test func restoreFlagRunsBeforeTheCommands() throws {
        let dir = try SessionBinary.temporaryDirectory()
        let saved = try Recsh.run(["--sessions", dir, "--format", "json", "-c",
                                   "load ml-100k path=\"\(SessionBinary.data)\"; split warm seed=4; set k=6; save t0"])
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(saved.objects.last?["name"] as? String == "t0")

        let r = try Recsh.run(["--sessions", dir, "--restore", "t0", "--format", "json", "-c", "show k"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.objects.map { $0["command"] as? String } == ["restore", "show"])
        #expect(r.objects[0]["split"] as? String == "warm")
        #expect((r.objects[1]["settings"] as? [String: Any])?["k"] as? Int == 6)
    }

    @Test func failedRestoreRunsNothingElse() throws {
        let dir = try SessionBinary.temporaryDirectory()
        let r = try Recsh.run(["--sessions", dir, "--restore", "missing", "--format", "json", "-c", "set k=3; save missing"])
        #expect(r.status == 1)
        #expect(r.objects.count == 1)
        #expect(r.objects.first?["ok"] as? Bool == false)
        #expect((r.objects.first?["error"] as? String)?.contains("no saved session 'missing'") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// Trained models saved in one process give the same metrics and lists in another.
    @Test func trainedModelsRoundTripAcrossProcesses() throws {
        let dir = try SessionBinary.temporaryDirectory()
        let a = try Recsh.run(["--sessions", dir, "--format", "json", "-c",
                               "load ml-100k path=\"\(SessionBinary.data)\"; split warm; train pop; train svd; eval; recommend 1 model=svd; save t1"])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try Recsh.run(["--sessions", dir, "--restore", "t1", "--format", "json", "-c", "eval; recommend 1 model=svd"])
        #expect(b.status == 0, "\(b.stderr)")
        func stripped(_ object: [String: Any]?) -> [[String: Double]] {
            ((object?["results"] as? [[String: Any]]) ?? []).map { r in
                r.compactMapValues { $0 as? Double }.filter { !["seconds", "users_per_second"].contains($0.key) }
            }
        }
        let evalA = a.objects.first { $0["command"] as? String == "eval" }
        let evalB = b.objects.first { $0["command"] as? String == "eval" }
        #expect(!stripped(evalA).isEmpty)
        #expect(stripped(evalA) == stripped(evalB))
        let recA = a.objects.first { $0["command"] as? String == "recommend" }?["items"] as? [[String: Any]]
        let recB = b.objects.first { $0["command"] as? String == "recommend" }?["items"] as? [[String: Any]]
        #expect(recA?.map { $0["movie"] as? Int } == recB?.map { $0["movie"] as? Int })
        #expect(recA?.map { $0["score"] as? Double } == recB?.map { $0["score"] as? Double })
    }
}
