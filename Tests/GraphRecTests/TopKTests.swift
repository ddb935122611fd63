import Testing
import Tensors
@testable import GraphRec

@Suite struct TopKTests {
    /// Reference: full sort by (score desc, index asc) without exclusions.
    func reference(_ row: [Float], k: Int, excluding ex: Set<Int>) -> [Int] {
        Array(row.indices.filter { !ex.contains($0) }
            .sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(k))
    }

    @Test func matchesFullSortWithTiesAndExclusions() {
        var rng = SeededGenerator(seed: 11)
        for trial in 0..<300 {
            let n = 1 + rng.nextInt(below: 80)
            let k = 1 + rng.nextInt(below: 20)
            let levels = trial % 2 == 0 ? 4 : 1000 // many ties, then few
            let row = (0..<n).map { _ in Float(rng.nextInt(below: levels)) }
            let ex = Set((0..<n).filter { _ in rng.nextInt(below: 4) == 0 })
            let got = TopK.select(row, k: k, excluding: Array(ex))
            #expect(got.map(\.index) == reference(row, k: k, excluding: ex), "n \(n) k \(k)")
            #expect(got.map(\.score) == got.map { row[$0.index] })
        }
    }

    @Test func tilesOfOneRowGiveTheSameSelection() {
        var rng = SeededGenerator(seed: 3)
        let row = (0..<1000).map { _ in Float(rng.nextInt(below: 50)) }
        var s = [Float](repeating: 0, count: 10), ix = [Int32](repeating: 0, count: 10), c = 0
        row.withUnsafeBufferPointer { r in
            for lo in stride(from: 0, to: 1000, by: 77) {
                let hi = min(1000, lo + 77)
                TopK.scan(r.baseAddress! + lo, from: 0, to: hi - lo, indexBase: lo, k: 10,
                          scores: &s, indices: &ix, count: &c)
            }
        }
        #expect(ix.map { Int($0) } == reference(row, k: 10, excluding: []))
    }

    @Test func fullRankCountsItemsThatBeatTheTarget() {
        // Scores 3, 5, 3, 3, 9 without item 4: ranking 1, 0, 2, 3.
        let row: [Float] = [3, 5, 3, 3, 9]
        let ex: [Int32] = [4]
        row.withUnsafeBufferPointer { r in
            ex.withUnsafeBufferPointer { e in
                #expect(TopK.rank(of: 1, in: r.baseAddress!, count: 5, excluding: e) == 1)
                #expect(TopK.rank(of: 0, in: r.baseAddress!, count: 5, excluding: e) == 2)
                #expect(TopK.rank(of: 3, in: r.baseAddress!, count: 5, excluding: e) == 4)
            }
        }
    }

    @Test func nanNeverEntersAndShortRowsGiveShortLists() {
        let got = TopK.select([1, .nan, 3], k: 5, excluding: [0])
        #expect(got.map(\.index) == [2])
    }
}
