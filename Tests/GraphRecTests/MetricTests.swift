import Foundation
import Testing
import Tensors
@testable import GraphRec

/// Where the shared test data lives: RECSH_TEST_DATA, else ../shared/data/ml-100k from the package root.
enum EvalTestData {
    static var dataDirectory: URL { URL(fileURLWithPath: ML100KTestData.directory) }

    struct GoldenCase {
        var k: Int
        var items: Int
        var scores: [[Double]]
        var targets: [[Int]]
        var exclude: [[Int]]
        var expected: [String: Double]
    }

    static func goldenCases() throws -> [GoldenCase] {
        let url = dataDirectory.deletingLastPathComponent().appendingPathComponent("golden/ranking-metrics.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (json["cases"] as! [[String: Any]]).map { c in
            GoldenCase(k: c["k"] as! Int, items: c["items"] as! Int,
                       scores: (c["scores"] as! [[NSNumber]]).map { $0.map(\.doubleValue) },
                       targets: c["target"] as! [[Int]], exclude: c["exclude"] as! [[Int]],
                       expected: (c["expected"] as! [String: NSNumber]).mapValues(\.doubleValue))
        }
    }
}

@Suite struct MetricTests {
    func expectClose(_ a: Double, _ b: Double, _ what: String, tolerance: Double = 1e-9) {
        #expect(abs(a - b) <= tolerance, "\(what): \(a) vs \(b)")
    }

    @Test func goldenCasesReproduceToOneBillionth() throws {
        let cases = try EvalTestData.goldenCases()
        #expect(cases.count >= 3)
        for c in cases {
            let (users, m) = RankingMetrics.evaluate(scores: c.scores, targets: c.targets, excluded: c.exclude, k: c.k)
            #expect(Double(users) == c.expected["users"])
            expectClose(m.precision, c.expected["P@10"]!, "P@10")
            expectClose(m.recall, c.expected["R@10"]!, "R@10")
            expectClose(m.ndcg, c.expected["NDCG@10"]!, "NDCG@10")
            expectClose(m.mrr, c.expected["MRR@10"]!, "MRR@10")
            expectClose(m.mrrFull, c.expected["MRR"]!, "MRR")
            expectClose(m.hitRate, c.expected["HR@10"]!, "HR@10")
            expectClose(m.map, c.expected["MAP@10"]!, "MAP@10")
        }
    }

    @Test func tiesRankTheLowerIndexFirst() {
        // Scores 1, 2, 2, 0: ranking 1, 2, 0, 3. Target 2 sits at rank 2.
        let ranked = RankingMetrics.ranking(scores: [1, 2, 2, 0])
        #expect(ranked == [1, 2, 0, 3])
        let m = RankingMetrics.all(ranked, targets: [2], k: 2)
        #expect(m.precision == 0.5)
        #expect(m.recall == 1)
        expectClose(m.ndcg, 1 / log2(3.0), "ndcg")
        #expect(m.mrr == 0.5 && m.mrrFull == 0.5 && m.hitRate == 1 && m.map == 0.5)
    }

    @Test func fewerTargetsThanK() {
        // k = 3, targets {1, 4}; ranking 0,1,2,3,4: one hit at rank 2, the other at rank 5.
        let ranked = RankingMetrics.ranking(scores: [5, 4, 3, 2, 1])
        let m = RankingMetrics.all(ranked, targets: [1, 4], k: 3)
        expectClose(m.precision, 1.0 / 3, "P")
        expectClose(m.recall, 0.5, "R")
        let idcg = 1 + 1 / log2(3.0)
        expectClose(m.ndcg, (1 / log2(3.0)) / idcg, "NDCG")
        expectClose(m.mrr, 0.5, "MRR")
        expectClose(m.map, (1.0 / 2) / 2, "MAP over min(|T|, K) = 2")
        expectClose(m.mrrFull, 0.5, "MRR full")
    }

    @Test func noHitGivesZerosButFullRankStillCounts() {
        let ranked = RankingMetrics.ranking(scores: [5, 4, 3, 2, 1])
        let m = RankingMetrics.all(ranked, targets: [4], k: 3)
        #expect(m.precision == 0 && m.recall == 0 && m.ndcg == 0 && m.mrr == 0 && m.hitRate == 0 && m.map == 0)
        expectClose(m.mrrFull, 0.2, "target at rank 5")
    }

    @Test func exclusionsAreRemovedBeforeRanking() {
        // Excluding item 0 lifts item 3 from rank 4 to rank 3.
        let ranked = RankingMetrics.ranking(scores: [9, 8, 7, 6], excluding: [0])
        #expect(ranked == [1, 2, 3])
        let m = RankingMetrics.all(ranked, targets: [3], k: 3)
        expectClose(m.mrr, 1.0 / 3, "MRR")
        expectClose(m.precision, 1.0 / 3, "P@3 divides by K even with 3 items left")
    }

    @Test func mapCountsPrecisionAtEachHit() {
        // Hits at ranks 1 and 3 of k = 4, three targets: (1/1 + 2/3) / 3.
        let m = RankingMetrics.all([10, 11, 12, 13], targets: [10, 12, 99], k: 4)
        expectClose(m.map, (1 + 2.0 / 3) / 3, "MAP")
        expectClose(m.ndcg, (1 + 1 / log2(4.0)) / (1 + 1 / log2(3.0) + 1 / log2(4.0)), "NDCG")
    }

    @Test func hitPatternInitMatchesListFunctions() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let n = 5 + rng.nextInt(below: 30), k = 1 + rng.nextInt(below: 12)
            let scores = (0..<n).map { _ in Double(rng.nextInt(below: 6)) }
            let excluded = Set((0..<n).filter { _ in rng.nextInt(below: 5) == 0 })
            let targets = Set((0..<n).filter { !excluded.contains($0) && rng.nextInt(below: 4) == 0 })
            guard !targets.isEmpty else { continue }
            let ranked = RankingMetrics.ranking(scores: scores, excluding: excluded)
            let top = Array(ranked.prefix(k))
            let full = ranked.firstIndex(where: targets.contains).map { $0 + 1 }
            let fast = UserMetrics(k: k, listLength: top.count, targetCount: targets.count,
                                   firstTargetRank: full) { targets.contains(top[$0 - 1]) }
            let ref = RankingMetrics.all(ranked, targets: targets, k: k)
            for (a, b) in zip([fast.precision, fast.recall, fast.ndcg, fast.mrr, fast.mrrFull, fast.hitRate, fast.map],
                              [ref.precision, ref.recall, ref.ndcg, ref.mrr, ref.mrrFull, ref.hitRate, ref.map]) {
                expectClose(a, b, "hit-pattern metrics")
            }
        }
    }

    @Test func pairedTestsMatchScipy() {
        let p = Significance.paired([1, 2, 3, 4, 5], [0, 0, 0, 0, 0])
        expectClose(p.t, 4.242640687119285, "t", tolerance: 1e-9)
        expectClose(p.tTestP, 0.01323559956368269, "p", tolerance: 1e-9)
        expectClose(p.signTestP, 0.0625, "sign test: 5 wins of 5")
        let q = Significance.paired([0.3, 0.1, 0.5, 0.2, 0.9, 0.4], [0.2, 0.2, 0.1, 0.2, 0.5, 0.1])
        expectClose(q.t, 2.101441979727393, "t", tolerance: 1e-9)
        expectClose(q.tTestP, 0.08958917392934113, "p", tolerance: 1e-9)
        #expect(q.wins == 4 && q.losses == 1 && q.ties == 1)
        expectClose(Significance.signTestP(wins: 2, losses: 8), 0.109375, "binomial 2 of 10")
        #expect(Significance.paired([1, 1], [1, 1]).tTestP == 1)
    }
}
