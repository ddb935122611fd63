import Foundation
import Testing
@testable import RecShell

/// `split seed-study`, `eval protocol=seed` and `lsh sweep seeds=` on ML-100K.
@Suite struct SeedStudyCommandTests {
    @Test func seedStudyIsTheColdUserSplitAndTheProtocolHasOneRowPerStep() throws {
        let h = Harness(format: .json)
        #expect(h.shell.run(line: "load ml-100k path=\"\(ShellTestData.directory)\"; split seed-study seed=0"), "\(h.err)")
        let split = try #require(h.objects.last)
        #expect(split["kind"] as? String == "cold" && split["users_in_test"] as? Int == 94)
        #expect(h.err.contains("the seed study's split"))
        #expect(!h.shell.run(line: "split seed-study ratios=70/15/15"))
        #expect((h.objects.last?["error"] as? String)?.contains("'ratios=' does not apply") == true)

        #expect(h.shell.run(line: "train pop; train svd"), "\(h.err)")
        #expect(h.shell.run(line: "eval protocol=seed"), "\(h.err)")
        let rows = try #require(h.objects.last?["results"] as? [[String: Any]])
        let steps = ["honest", "leak", "cosine", "no-exclusion", "mrr-hits-only"]
        #expect(rows.count == 2 * steps.count)
        #expect(rows.prefix(5).compactMap { $0["step"] as? String } == steps)
        let svd = rows.filter { $0["model"] as? String == "svd" }
        // The leak hands PureSVD the test users' own likes.
        #expect((svd[1]["precision"] as? Double ?? 0) > (svd[0]["precision"] as? Double ?? 1) + 0.2)
        // The last step changes only the MRR's denominator.
        #expect(svd[4]["precision"] as? Double == svd[3]["precision"] as? Double)
        #expect((svd[4]["mrr"] as? Double ?? 0) >= (svd[3]["mrr"] as? Double ?? 1))
        #expect((svd[4]["mrr_users"] as? Int ?? 0) <= (svd[3]["mrr_users"] as? Int ?? 0))
        // The honest row is plain 'eval'.
        #expect(h.shell.run(line: "eval svd"))
        let plain = try #require((h.objects.last?["results"] as? [[String: Any]])?.first)
        #expect(plain["ndcg"] as? Double == svd[0]["ndcg"] as? Double)

        #expect(!h.shell.run(line: "eval protocol=seed lsh=8"))
        #expect((h.objects.last?["error"] as? String)?.contains("does not combine with lsh=") == true)
        #expect(!h.shell.run(line: "eval protocol=leaky"))
    }

    @Test func lshSweepAveragesOverSeeds() throws {
        let h = ShellTestData.splitHarness()
        #expect(h.shell.run(line: "train svd factors=8"), "\(h.err)")
        #expect(h.shell.run(line: "lsh sweep planes=4..5 seed=0 runs=1"), "\(h.err)")
        let one = try #require(h.objects.last?["points"] as? [[String: Any]])
        #expect(h.shell.run(line: "lsh sweep planes=4..5 seed=1 runs=1"), "\(h.err)")
        let two = try #require(h.objects.last?["points"] as? [[String: Any]])
        #expect(h.shell.run(line: "lsh sweep planes=4..5 seeds=0,1 runs=1"), "\(h.err)")
        let json = try #require(h.objects.last)
        #expect(json["seeds"] as? [Int] == [0, 1])
        let mean = try #require(json["points"] as? [[String: Any]])
        for i in 0..<2 {
            let a = one[i]["recall_vs_exact"] as? Double ?? -1, b = two[i]["recall_vs_exact"] as? Double ?? -1
            #expect(abs((mean[i]["recall_vs_exact"] as? Double ?? -9) - (a + b) / 2) < 1e-9)
        }
        #expect(!h.shell.run(line: "lsh sweep seed=1 seeds=0,1"))
    }
}
