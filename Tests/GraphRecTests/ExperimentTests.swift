import Foundation
import Testing
@testable import GraphRec

/// `Experiment`: one run per seed and model, the same numbers for the same
/// seeds, the session's split untouched, and paired tests only between
/// models evaluated on the same users.
@Suite struct ExperimentTests {
    static let data = Result { try SyntheticData.generate(SyntheticData.Shape(users: 200, movies: 300, ratings: 9_000, seed: 5)) }

    static func arms() -> [Experiment.Arm] {
        [Experiment.Arm(name: "pop", kind: "pop", options: [:]),
         Experiment.Arm(name: "knn", kind: "itemknn", options: [:])]
    }

    @Test func retrainsEachArmOncePerSeedAndRepeatsExactly() throws {
        let dataset = try Self.data.get()
        let split = try Split.warm(positives: dataset.positives, ratios: [80, 10, 10], seed: 9)
        let a = try Experiment.retrained(Self.arms(), dataset: dataset, like: split, seeds: [0, 1], on: .test, k: 10,
                                         control: .silent)
        let b = try Experiment.retrained(Self.arms(), dataset: dataset, like: split, seeds: [0, 1], on: .test, k: 10,
                                         control: .silent)
        #expect(a.seeds == [0, 1])
        #expect(a.arms.map(\.runs.count) == [2, 2])
        #expect(a.arms.map { $0.summary(\.ndcg).values } == b.arms.map { $0.summary(\.ndcg).values })
        // Different seeds re-split the data (and refit): the runs differ.
        #expect(a.arms[1].runs[0].ndcg != a.arms[1].runs[1].ndcg)
        // ItemKNN beats popularity on the planted taste groups, so it is the best arm tested against pop.
        let knn = a.arms[1].summary(\.ndcg), pop = a.arms[0].summary(\.ndcg)
        #expect(knn.mean > pop.mean)
        let comparison = try #require(a.comparisons.first)
        #expect(comparison.best == "knn" && comparison.other == "pop")
        #expect(comparison.test.n == a.arms[0].runs[0].users)
    }

    @Test func summaryIsTheMeanAndSampleDeviation() {
        #expect(Experiment.meanStd([1, 2, 3]) == (2, 1))
        #expect(Experiment.meanStd([4]) == (4, 0))
        #expect(Experiment.meanStd([]) == (0, 0))
    }

    @Test func anInterruptedRunReturnsNothing() throws {
        let dataset = try Self.data.get()
        let split = try Split.warm(positives: dataset.positives, ratios: [80, 10, 10], seed: 9)
        let stop = RunControl(shouldStop: { true })
        #expect(throws: RecError.self) {
            try Experiment.retrained(Self.arms(), dataset: dataset, like: split, seeds: [0], on: .test, k: 10, control: stop)
        }
    }
}
