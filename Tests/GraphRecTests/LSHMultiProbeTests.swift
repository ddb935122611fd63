import Foundation
import Testing
import Tensors
@testable import GraphRec

/// Norm ranging (`bands=`) and query-directed multi-probe (`probe=multi`).
@Suite struct LSHMultiProbeTests {
    func randomItems(_ n: Int, _ d: Int, seed: UInt64) -> Matrix {
        var rng = SeededGenerator(seed: seed)
        return Matrix.normal(rows: n, cols: d, using: &rng)
    }

    @Test func normBandsSplitTheNormRankLargestFirst() {
        // Ranks by (norm, index): 5(0.5) 1(1) 6(1) 2(2) 0(3) 4(4) 3(5). Band b takes ranks
        // 7(2-b)/3 ..< 7(3-b)/3: band 0 = ranks 4...6, band 1 = ranks 2...3, band 2 = ranks 0...1.
        let bands = NormBands(norms: [3, 1, 2, 5, 4, 0.5, 1], count: 3)
        #expect(bands.band == [0, 2, 1, 0, 0, 2, 1])
        #expect(bands.maxNorm == [5, 2, 1])
        #expect(bands.itemScale == [5, 1, 2, 5, 5, 1, 2])
        // More bands than items: one item each; a single band is plain simple-LSH.
        #expect(NormBands(norms: [2, 1, 3], count: 10).band == [1, 2, 0])
        #expect(NormBands(norms: [2, 1, 3], count: 1).maxNorm == [3])
    }

    @Test func bandedTableGroupsItemsByBandThenCode() {
        let codes: [UInt64] = [3, 1, 3, 0, 1, 3]
        let band: [Int32] = [1, 0, 0, 1, 0, 1]
        let t = BandedTable(codes: codes, band: band, bandCount: 2, planes: 2)
        #expect(t.members == [1, 4, 2, 3, 0, 5])
        #expect(t.bucketCodes == [1, 3, 0, 3])
        #expect(t.bucketStart == [0, 2, 3, 4, 6])
        #expect(t.bandBucketStart == [0, 2, 4])
        // planes <= 8: the group is the whole code.
        #expect(t.groupShift == 0)
        #expect(t.groupStart[0 * 257 + 1] == 0 && t.groupStart[0 * 257 + 2] == 1 && t.groupStart[0 * 257 + 4] == 2)
        #expect(t.groupStart[1 * 257 + 0] == 2 && t.groupStart[1 * 257 + 1] == 3 && t.groupStart[1 * 257 + 256] == 4)
    }

    @Test func probeCostWeighsEachDifferingBitByItsMargin() {
        let margins: [Float] = [0.1, -2.0, 0.5]
        var tables = [Float](repeating: -1, count: 256)
        margins.withUnsafeBufferPointer { m in
            tables.withUnsafeMutableBufferPointer { MultiProbe.costTables(margins: m.baseAddress!, planes: 3, queryNorm: 2,
                                                                           into: $0.baseAddress!) }
        }
        let unit = 2 * (2 / Float.pi).squareRoot() // |q| E|z|
        tables.withUnsafeBufferPointer { t in
            #expect(MultiProbe.cost(0, t.baseAddress!, bytes: 1) == 0)
            #expect(abs(MultiProbe.cost(0b001, t.baseAddress!, bytes: 1) - 0.1 / unit) < 1e-6)
            #expect(abs(MultiProbe.cost(0b011, t.baseAddress!, bytes: 1) - 2.1 / unit) < 1e-6)
            #expect(abs(MultiProbe.cost(0b111, t.baseAddress!, bytes: 1) - 2.6 / unit) < 1e-6)
            // Bits beyond the planes cost nothing.
            #expect(MultiProbe.cost(0b1000, t.baseAddress!, bytes: 1) == 0)
        }
        #expect(MultiProbe.score(cost: 0, planes: 3, bandMax: 2) == 2)
        #expect(abs(MultiProbe.score(cost: 1.5, planes: 3, bandMax: 2)) < 1e-2, "half the planes: cos(pi/2)")
        #expect(MultiProbe.score(cost: 3, planes: 3, bandMax: 2) == -2)
    }

    @Test func multiProbeFlipsTheLeastConfidentBitFirst() {
        let items = randomItems(600, 6, seed: 11)
        let index = LSHIndex(items: items, configuration: LSHConfiguration(planes: 3, probe: .multi, seed: 5))
        let table = index.banded[0]
        #expect(table.bucketCount == 8, "600 Gaussian items fill all 8 codes")
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<10 {
            let q = (0..<6).map { _ in rng.nextNormal() }
            let code = index.codes(of: q)[0]
            let margins = (0..<3).map { j in (0..<6).reduce(Float(0)) { $0 + q[$1] * index.normals[$1, j] } }
            let order = index.multiProbeOrder(query: q, table: 0).map { Int(table.bucketCodes[$0.bucket]) }
            // By hand: each code's cost is the sum of |margin| over the bits where it differs from the query's.
            let byHand = (0..<8).sorted { a, b in
                func cost(_ c: Int) -> Float { (0..<3).reduce(0) { ((c ^ Int(code)) >> $1) & 1 == 1 ? $0 + abs(margins[$1]) : $0 } }
                return cost(a) != cost(b) ? cost(a) < cost(b) : a < b
            }
            // The score is cos(pi * cost / planes): it saturates at -1 once the cost reaches
            // the plane count, so compare the order of the codes below that.
            let unit = q.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() * (2 / Float.pi).squareRoot()
            let below = (0..<8).filter { c in
                (0..<3).reduce(Float(0)) { ((c ^ Int(code)) >> $1) & 1 == 1 ? $0 + abs(margins[$1]) : $0 } / unit < 2.9
            }.count
            #expect(below >= 2)
            #expect(Array(order.prefix(below)) == Array(byHand.prefix(below)))
            #expect(order[0] == Int(code))
            let weakest = (0..<3).min { abs(margins[$0]) < abs(margins[$1]) }!
            #expect(order[1] == Int(code) ^ (1 << weakest), "second probe flips the least confident bit")
        }
    }

    /// Items along one direction with norms 1...8; the query is that direction.
    /// With mips and one band per item every item shares the query's code and
    /// the transform's extra coordinate is 0, so a bucket's score is its norm:
    /// a budget of 3 ranks exactly the 3 longest, recall@5 = 3/5.
    @Test func normBandsRankLongItemsFirstExactRecall() {
        let u: [Float] = [0.6, -0.8, 0, 0.5]
        let items = Matrix(rows: 8, cols: 4, storage: (1...8).flatMap { i in u.map { Float(i) * $0 } })
        let query = Matrix(rows: 1, cols: 4, storage: u)
        let exact = ExactRetriever.topK(queries: query, items: items, k: 5)
        #expect(exact.indices == [7, 6, 5, 4, 3])
        let banded = LSHIndex(items: items, configuration: LSHConfiguration(planes: 6, probe: .multi, candidates: 3,
                                                                          mips: true, normBands: 8, seed: 1))
        let (lists, cands) = banded.search(queries: query, items: items, k: 5)
        #expect(cands == [3])
        #expect(lists.indices[0..<3] == [7, 6, 5] && lists.counts == [3])
        #expect(abs(LSHEvaluation.recall(lists, against: exact) - 0.6) < 1e-12)
        // Cosine hashing: all eight share one bucket, so the budget of 3 takes all of them.
        let plain = LSHIndex(items: items, configuration: LSHConfiguration(planes: 6, probe: .multi, candidates: 3,
                                                                         mips: false, seed: 1))
        let all = plain.search(queries: query, items: items, k: 5)
        #expect(all.candidates == [8] && LSHEvaluation.recall(all.lists, against: exact) == 1)
    }

    @Test(arguments: [(1, false, 1), (2, true, 4), (3, true, 1)])
    func enoughCandidatesGiveExactResultsAndRespectExclusions(tables: Int, mips: Bool, bands: Int) {
        let items = randomItems(400, 8, seed: 6)
        let queries = randomItems(25, 8, seed: 7)
        let ex = CSRMatrix(rows: 25, cols: 400, triplets: (0..<25).flatMap { q in [(q, q, Float(1)), (q, 100 + q, 1)] })
        let index = LSHIndex(items: items, configuration: LSHConfiguration(planes: 12, tables: tables, probe: .multi,
                                                                         candidates: 400 * tables, mips: mips,
                                                                         normBands: bands, seed: 2))
        let (lists, cands) = index.search(queries: queries, items: items, k: 10, exclusions: ex)
        let exact = ExactRetriever.topK(queries: queries, items: items, k: 10, exclusions: ex)
        #expect(lists.indices == exact.indices && lists.counts == exact.counts)
        #expect(cands.allSatisfy { $0 == 398 }, "every item once, but the two excluded")
        #expect(LSHEvaluation.recall(lists, against: exact) == 1)
    }

    @Test func budgetIsMetAndMoreCandidatesNeverLowerRecall() {
        let items = randomItems(3000, 16, seed: 13)
        let queries = randomItems(40, 16, seed: 14)
        let exact = ExactRetriever.topK(queries: queries, items: items, k: 10)
        var last = -1.0
        for budget in [50, 200, 800, 3000] {
            let index = LSHIndex(items: items, configuration: LSHConfiguration(planes: 14, probe: .multi, candidates: budget,
                                                                             mips: true, normBands: 8, seed: 3))
            let (lists, cands) = index.search(queries: queries, items: items, k: 10)
            #expect(cands.allSatisfy { $0 >= budget }, "at least the budget (buckets are taken whole)")
            let recall = LSHEvaluation.recall(lists, against: exact)
            #expect(recall >= last, "a larger budget ranks a superset")
            last = recall
        }
        #expect(last == 1)
    }

    @Test func sameSeedSameIndexAndResults() {
        let items = randomItems(2000, 16, seed: 8)
        let queries = randomItems(50, 16, seed: 9)
        let c = LSHConfiguration(planes: 12, tables: 2, probe: .multi, candidates: 100, mips: true, normBands: 16, seed: 42)
        let a = LSHIndex(items: items, configuration: c), b = LSHIndex(items: items, configuration: c)
        #expect(a.banded.map(\.members) == b.banded.map(\.members) && a.bandedVectors == b.bandedVectors)
        let ra = a.search(queries: queries, items: items, k: 10), rb = b.search(queries: queries, items: items, k: 10, workers: 1)
        #expect(ra.lists == rb.lists && ra.candidates == rb.candidates)
        var other = c
        other.seed = 43
        #expect(LSHIndex(items: items, configuration: other).banded.map(\.members) != a.banded.map(\.members))
    }
}
