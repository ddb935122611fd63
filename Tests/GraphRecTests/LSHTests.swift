import Testing
import Tensors
@testable import GraphRec

@Suite struct LSHTests {
    func randomItems(_ n: Int, _ d: Int, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        return Matrix.normal(rows: n, cols: d, using: &rng)
    }

    /// Codes by brute force from the index's own hyperplanes, with the mips
    /// transform materialised ([x/M, sqrt(1-|x|^2/M^2)]).
    func bruteCodes(_ index: LSHIndex, _ items: Matrix, table t: Int) -> [UInt64] {
        let c = index.configuration, d = items.cols
        return (0..<items.rows).map { i in
            let x = items.row(i)
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            var code: UInt64 = 0
            for j in 0..<c.planes {
                let col = t * c.planes + j
                var s: Float = 0
                if c.mips {
                    for a in 0..<d { s += x[a] / index.maxNorm * index.normals[a, col] }
                    let r = norm / index.maxNorm
                    s += max(0, 1 - r * r).squareRoot() * index.lastWeights[col]
                } else {
                    for a in 0..<d { s += x[a] * index.normals[a, col] }
                }
                if s > 0 { code |= 1 << UInt64(j) }
            }
            return code
        }
    }

    @Test(arguments: [false, true]) func bucketsHoldItemsByTheirCodes(mips: Bool) {
        let items = randomItems(300, 6, seed: 1)
        let index = LSHIndex(items: items, configuration: LSHConfiguration(planes: 5, tables: 2, mips: mips, seed: 4))
        for (t, table) in index.tables.enumerated() {
            let codes = bruteCodes(index, items, table: t)
            var seen = 0
            for b in 0..<table.bucketCount {
                let members = table.members[Int(table.bucketStart[b])..<Int(table.bucketStart[b + 1])]
                #expect(members.allSatisfy { codes[Int($0)] == table.bucketCodes[b] })
                #expect(Array(members) == members.sorted(), "ascending ids within a bucket")
                seen += members.count
            }
            #expect(seen == 300)
        }
    }

    @Test(arguments: [10, 30]) func probingVisitsEveryBucketInHammingOrder(planes: Int) {
        let items = randomItems(500, 8, seed: 2)
        let index = LSHIndex(items: items, configuration: LSHConfiguration(planes: planes, seed: 3))
        let table = index.tables[0]
        let query: UInt64 = 0b1011
        var distances: [Int] = [], visited = Set<Int>()
        table.probe(query) { b in
            distances.append((table.bucketCodes[b] ^ query).nonzeroBitCount)
            visited.insert(b)
            return true
        }
        #expect(visited.count == table.bucketCount && distances.count == table.bucketCount)
        #expect(distances == distances.sorted())
    }

    @Test func bucketProbeTakesTheNearestNonEmptyBucket() {
        let items = randomItems(200, 8, seed: 5)
        let index = LSHIndex(items: items, configuration: LSHConfiguration(planes: 12, probe: .bucket, seed: 1))
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<20 {
            let q = (0..<8).map { _ in rng.nextNormal() }
            let code = index.codes(of: q)[0]
            let table = index.tables[0]
            let best = table.bucketCodes.map { ($0 ^ code).nonzeroBitCount }.min()!
            let got = index.search(query: q, items: items, k: 500)
            let nearest = Set((0..<table.bucketCount).filter { (table.bucketCodes[$0] ^ code).nonzeroBitCount == best }
                .flatMap { table.members[Int(table.bucketStart[$0])..<Int(table.bucketStart[$0 + 1])].map(Int.init) })
            #expect(!got.isEmpty && got.allSatisfy { nearest.contains($0.item) })
            #expect(got.map(\.score) == got.map(\.score).sorted(by: >))
        }
    }

    @Test func enoughCandidatesGiveExactResultsAndRespectExclusions() {
        let items = randomItems(400, 8, seed: 6)
        let queries = randomItems(25, 8, seed: 7)
        let ex = CSRMatrix(rows: 25, cols: 400, triplets: (0..<25).flatMap { q in [(q, q, Float(1)), (q, 100 + q, 1)] })
        let index = LSHIndex(items: items, configuration: LSHConfiguration(planes: 9, tables: 2, probe: .hamming,
                                                                         candidates: 400, mips: true, seed: 2))
        let (lists, cands) = index.search(queries: queries, items: items, k: 10, exclusions: ex)
        let exact = ExactRetriever.topK(queries: queries, items: items, k: 10, exclusions: ex)
        #expect(lists.indices == exact.indices && lists.counts == exact.counts)
        #expect(zip(lists.scores, exact.scores).allSatisfy { abs($0 - $1) < 1e-4 }, "GEMM and dot products agree to rounding")
        #expect(cands.allSatisfy { $0 == 398 }, "all items but the two excluded")
        #expect(LSHEvaluation.recall(lists, against: exact) == 1)
    }

    @Test func sameSeedSameIndexAndResults() {
        let items = randomItems(1000, 16, seed: 8)
        let queries = randomItems(50, 16, seed: 9)
        let c = LSHConfiguration(planes: 10, tables: 3, probe: .hamming, candidates: 50, mips: true, seed: 42)
        let a = LSHIndex(items: items, configuration: c), b = LSHIndex(items: items, configuration: c)
        #expect(a.tables.map(\.members) == b.tables.map(\.members))
        #expect(a.search(queries: queries, items: items, k: 10).lists == b.search(queries: queries, items: items, k: 10, workers: 1).lists)
        var other = c
        other.seed = 43
        #expect(LSHIndex(items: items, configuration: other).tables.map(\.members) != a.tables.map(\.members))
    }

    @Test func reportOnSmallModelIsConsistent() throws {
        var rng = SeededGenerator(seed: 10)
        let e = Embeddings(users: Matrix.normal(rows: 60, cols: 8, using: &rng), items: Matrix.normal(rows: 120, cols: 8, using: &rng))
        let targets = (0..<60).map { u in [u % 120, (u * 7) % 120] }
        let excluded = (0..<60).map { u in [(u + 1) % 120] }
        let set = try EvaluationSet(itemCount: 120, targets: targets, exclusions: excluded)
        let full = LSHEvaluation.report(embeddings: e, set: set,
            configuration: LSHConfiguration(planes: 4, probe: .hamming, candidates: 1000), runs: 1)
        #expect(full.recallVsExact == 1 && full.precision == full.exactPrecision && full.ndcg == full.exactNDCG)
        let sweep = LSHEvaluation.sweep(embeddings: e, set: set, planes: 1...6, runs: 1)
        #expect(sweep.map(\.planes) == Array(1...6))
        // More planes, smaller buckets: the seed's probe ranks fewer candidates.
        #expect(sweep.last!.candidatesPerUser < sweep.first!.candidatesPerUser)
        #expect(sweep.allSatisfy { $0.recallVsExact >= 0 && $0.recallVsExact <= 1 && $0.users == 60 })
    }
}
