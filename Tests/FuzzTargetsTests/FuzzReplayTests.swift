import Foundation
import Testing
import FuzzTargets

/// The fuzz corpus and every saved reproducer (`Fuzz/regressions/TARGET/`)
/// replayed through their targets, then a short seeded mutation run per
/// target: each input must be accepted or refused, never trap.
@Suite struct FuzzReplayTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path

    static func inputs(_ kind: String, _ target: String) -> [Data] {
        MutationDriver.readCorpus([fuzzDirectory + "/" + kind + "/" + target])
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func corpusAndRegressionsReplay(target name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let corpus = Self.inputs("corpus", name)
        #expect(!corpus.isEmpty, "Fuzz/corpus/\(name) has no seed inputs")
        for input in corpus + Self.inputs("regressions", name) { target.run(input) }
    }

    @Test(arguments: FuzzTargets.all.map(\.name))
    func seededMutationsNeverTrap(target name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        var driver = MutationDriver(seed: 1, corpus: Self.inputs("corpus", name))
        for _ in 0..<300 { target.run(driver.next()) }
    }

    @Test func mutationIsDeterministic() {
        let corpus = [Data("load ml-100k; split warm".utf8), Data("1\t2\t3\t4\n".utf8)]
        var a = MutationDriver(seed: 7, corpus: corpus), b = MutationDriver(seed: 7, corpus: corpus)
        let first = (0..<50).map { _ in a.next() }
        #expect(first == (0..<50).map { _ in b.next() })
        var c = MutationDriver(seed: 8, corpus: corpus)
        #expect(first != (0..<50).map { _ in c.next() })
    }

    @Test func everyTargetHasASeedCorpusDirectory() throws {
        let directories = try FileManager.default.contentsOfDirectory(atPath: Self.fuzzDirectory + "/corpus").sorted()
        #expect(directories == FuzzTargets.all.map(\.name).sorted())
    }
}
