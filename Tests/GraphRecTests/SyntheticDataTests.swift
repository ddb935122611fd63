import Foundation
import Testing
@testable import GraphRec

/// The synthetic generator on small shapes: the counts asked for, the same
/// data for the same seed, skewed degrees, features on and off, and planted
/// structure a real model finds (EASE well above popularity).
@Suite struct SyntheticDataTests {
    static let small = SyntheticData.Shape(users: 300, movies: 400, ratings: 15_000, seed: 3)

    @Test func givesTheRequestedCountsWithoutRepeatedPairs() throws {
        let d = try SyntheticData.generate(Self.small)
        #expect(d.userCount == 300 && d.movieCount == 400 && d.ratings.count == 15_000)
        #expect(Set(d.ratings.map { Edge(user: $0.user, movie: $0.movie) }).count == 15_000)
        #expect(d.ratings.allSatisfy { (1...5).contains($0.value) && $0.value == $0.value.rounded() })
        #expect(d.layout == .synthetic && d.users[0].id == 1 && d.movies[399].id == 400)
        #expect(d.userFeatures?.cols == 24 && d.movieFeatures?.cols == 18)
        #expect(d.positives.count > 15_000 / 2)
    }

    @Test func theSameSeedGivesTheSameDataAndAnotherSeedDoesNot() throws {
        let a = try SyntheticData.generate(Self.small)
        let b = try SyntheticData.generate(Self.small)
        #expect(a.ratings == b.ratings && a.users == b.users && a.movies == b.movies)
        #expect(a.userFeatures?.storage == b.userFeatures?.storage)
        var other = Self.small
        other.seed = 4
        #expect(try SyntheticData.generate(other).ratings != a.ratings)
    }

    @Test func degreesAreSkewedLikeMovieLens() throws {
        let d = try SyntheticData.generate(SyntheticData.Shape(users: 2_000, movies: 1_500, ratings: 100_000, seed: 1))
        var userDegree = [Int](repeating: 0, count: d.userCount), movieDegree = [Int](repeating: 0, count: d.movieCount)
        for r in d.ratings { userDegree[Int(r.user)] += 1; movieDegree[Int(r.movie)] += 1 }
        func topShare(_ degrees: [Int], _ fraction: Double) -> Double {
            let sorted = degrees.sorted(by: >)
            return Double(sorted.prefix(Int(Double(sorted.count) * fraction)).reduce(0, +)) / Double(degrees.reduce(0, +))
        }
        // Uniform degrees would give the top 10% a 10% share.
        #expect(topShare(userDegree, 0.1) > 0.25)
        #expect(topShare(movieDegree, 0.1) > 0.3)
        #expect(userDegree.min()! >= 1 && userDegree.max()! <= 750)
        let flat = try SyntheticData.generate(SyntheticData.Shape(users: 2_000, movies: 1_500, ratings: 100_000, skew: 0))
        var flatDegree = [Int](repeating: 0, count: flat.userCount)
        for r in flat.ratings { flatDegree[Int(r.user)] += 1 }
        #expect(topShare(flatDegree, 0.1) < 0.12)
    }

    @Test func featuresCanBeLeftOut() throws {
        var shape = Self.small
        shape.features = false
        let d = try SyntheticData.generate(shape)
        #expect(d.userFeatures == nil && d.movieFeatures == nil && d.users[0].age == nil)
        #expect(d.ratings == (try SyntheticData.generate(Self.small)).ratings)
    }

    @Test func impossibleShapesAreErrors() {
        #expect(throws: RecError.self) { try SyntheticData.generate(.init(users: 0, movies: 10, ratings: 5)) }
        #expect(throws: RecError.self) { try SyntheticData.generate(.init(users: 10, movies: 10, ratings: 51)) }
        #expect(throws: RecError.self) { try SyntheticData.generate(.init(users: 10, movies: 10, ratings: 5, skew: .nan)) }
        #expect(throws: RecError.self) { try SyntheticData.Shape(recipe: "synthetic users=1") }
    }

    @Test func theRecipeMakesTheSameDataSetAgain() throws {
        let d = try SyntheticData.generate(Self.small)
        let again = try DataSource.reload(layout: "synthetic", path: d.directory, minRating: 3)
        #expect(again.ratings == d.ratings && again.checksum == d.checksum)
        #expect(SyntheticData.shape(named: "synthetic-1m") == SyntheticData.Shape(users: 6_040, movies: 3_706, ratings: 1_000_000))
    }

    @Test func easeBeatsPopularityByAWideMargin() throws {
        let d = try SyntheticData.generate(SyntheticData.Shape(users: 600, movies: 500, ratings: 30_000, seed: 7))
        let split = try Split.warm(positives: d.positives, seed: 0)
        let graph = d.graph(for: split)
        let evaluator = try Evaluator(split: split, graph: graph, on: .test)
        let pop = evaluator.evaluate(try Popularity.fit(graph: graph, options: Popularity.parse([:]), control: .silent).embed(graph))
        let ease = evaluator.evaluate(try EASE.fit(graph: graph, options: EASE.parse([:]), control: .silent).scorer(graph))
        #expect(ease.ndcg > 1.5 * pop.ndcg, "EASE \(ease.ndcg) vs popularity \(pop.ndcg)")
    }
}
