import Foundation
import Testing
@testable import RecShell

/// Wall time of `save` and `restore` through the shell for a session with three ML-100K models
/// (GCN, popularity, PureSVD). Prints medians; speed is reported, not asserted.
@Suite(.serialized, .enabled(if: SessionFixture.available && ProcessInfo.processInfo.environment["RECSH_BENCH"] != nil,
                             "benchmark: set RECSH_BENCH=1")) struct SessionBenchmarkTests {
    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    @Test func saveAndRestoreMedians() throws {
        let dir = try SessionFixture.temporaryDirectory("bench")
        let h = try SessionFixture.trainedShell(sessions: dir)
        let runs = 7
        var save: [Double] = [], fresh: [Double] = [], loaded: [Double] = []
        for _ in 0..<runs {
            let t = Date()
            #expect(h.shell.run(line: "save bench"))
            save.append(Date().timeIntervalSince(t))
        }
        for _ in 0..<runs {
            let b = Harness()
            b.shell.session.settings.sessionsDirectory = dir
            let t = Date()
            #expect(b.shell.run(line: "restore bench"))
            fresh.append(Date().timeIntervalSince(t))
            #expect(b.shell.session.models.count == 3)
        }
        for _ in 0..<runs {
            let t = Date()
            #expect(h.shell.run(line: "restore bench"))
            loaded.append(Date().timeIntervalSince(t))
        }
        let bytes = SessionCommands.directoryBytes(dir + "/bench")
        print("BENCH session save (3 ML-100K models, \(bytes) bytes): median \(Int(Self.median(save) * 1000)) ms over \(runs)")
        print("BENCH session restore into a fresh shell (reloads ml-100k): median \(Int(Self.median(fresh) * 1000)) ms over \(runs)")
        print("BENCH session restore with the data set already loaded (re-hash only): median \(Int(Self.median(loaded) * 1000)) ms over \(runs)")
    }
}
