import Foundation
import Testing
import TestSupport

/// Every `next:` hint is a command that succeeds in the state it is shown in:
/// each state is built through the binary, its last command's hints are
/// read from stderr, and they run after the same state.
@Suite(.serialized, .enabled(if: ModelE2E.available, "needs ML-100K (RECSH_TEST_DATA)"))
struct HintsEndToEndTests {
    static let load = "load ml-100k path=\"\(ModelE2E.data)\""

    /// The training options that keep each kind quick on ML-100K.
    static let quick: [String: String] = [
        "gcn": "epochs=1 hidden=8 dim=4", "gat": "epochs=1 hidden=8 dim=4", "lightgcn": "epochs=1 dim=4",
        "mf": "epochs=1 dim=4", "ncf": "epochs=1 factors=4 mlp=8,4", "als": "iterations=2 factors=4",
        "svd": "factors=4", "pop": "", "itemknn": "neighbors=10", "ease": "",
    ]

    static func states(sessions: String) -> [String] {
        ["models", load, "\(load); split warm; models", "\(load); split cold; models"]
            + quick.keys.sorted().map { "\(load); split warm; train \($0) \(quick[$0]!)" }
            + ["\(load); split cold; train pop",
               "\(load); split warm; train pop; save hinted",
               "\(load); split warm; train pop; save hinted; sessions",
               "\(load); split warm; train pop; save hinted; restore hinted"]
    }

    @Test func everyHintRunsInItsState() throws {
        let sessions = FileManager.default.temporaryDirectory.appendingPathComponent("recsh-hints-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: sessions) }
        let flags = ["--format", "json", "--bail", "--data", ModelE2E.data, "--sessions", sessions]
        var checked = 0
        for state in Self.states(sessions: sessions) {
            let r = try Recsh.run(flags + ["-c", state])
            #expect(r.status == 0, "\(state)\n\(r.stderr)")
            let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("next: ") }
            let last = try #require(lines.last, "\(state): no hint")
            let hints = last.dropFirst("next: ".count).components(separatedBy: "   ").filter { !$0.isEmpty }
            #expect(!hints.isEmpty)
            for hint in hints {
                let run = try Recsh.run(flags + ["-c", "\(state); \(hint)"])
                #expect(run.status == 0, "after '\(state)' the hint '\(hint)' failed: \(run.objects.last ?? [:])")
                #expect(run.objects.last?["ok"] as? Bool == true, "\(hint)")
                checked += 1
            }
        }
        #expect(checked >= 25)
    }

    /// After `train pop` (no loss curve) there is no `plot loss` hint.
    @Test func noLossPlotHintWithoutALossCurve() throws {
        let r = try Recsh.run(["--format", "json", "-c", "\(Self.load); split warm; train pop"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("next: eval pop"))
        #expect(!r.stderr.contains("plot loss"))
    }
}
