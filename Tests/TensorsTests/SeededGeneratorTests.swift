import Testing
@testable import Tensors

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequence() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func differentSeedsDiffer() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 2)
        #expect((0..<10).map { _ in a.next() } != (0..<10).map { _ in b.next() })
    }

    @Test func streamsAreIndependentOfEachOther() {
        var a = SeededGenerator(seed: 7, stream: "init"), b = SeededGenerator(seed: 7, stream: "negatives")
        #expect(a.next() != b.next())
    }

    @Test func nextIntStaysBelowBoundAndCoversIt() {
        var g = SeededGenerator(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let v = g.nextInt(below: 7)
            #expect((0..<7).contains(v))
            seen.insert(v)
        }
        #expect(seen.count == 7)
    }

    @Test func normalHasRoughlyUnitMoments() {
        var g = SeededGenerator(seed: 11)
        let xs = (0..<20000).map { _ in Double(g.nextNormal()) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func shuffleIsAPermutationAndDeterministic() {
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        var a = Array(0..<50), b = Array(0..<50)
        g1.shuffle(&a); g2.shuffle(&b)
        #expect(a == b)
        #expect(a.sorted() == Array(0..<50))
        #expect(a != Array(0..<50))
    }
}
