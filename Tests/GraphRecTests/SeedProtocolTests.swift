import Testing
import Tensors
@testable import GraphRec

/// The steps from the honest protocol to the seed study's, on a case small
/// enough to rank by hand.
@Suite struct SeedProtocolTests {
    // Two users, three movies. User 0 likes movie 0 in train; the test asks
    // for movie 1 (user 0) and movie 2 (user 1).
    let graph = InteractionGraph(userCount: 2, movieCount: 3, edges: [Edge(0, 0)])
    let split = Split(kind: .official("x"), ratios: [], seed: 0, train: [Edge(0, 0)], validation: [],
                      test: [Edge(0, 1), Edge(1, 2)])
    // Movie 0 has a large norm (it wins every dot product with user 0), movie 2
    // beats movie 1 for user 0 by dot product but not by cosine.
    let vectors = Embeddings(users: Matrix([[1, 0], [0, 1]]), items: Matrix([[10, 0], [1, 0.5], [3, 5]]))

    @Test func eachStepChangesWhatItSays() throws {
        let steps = try SeedProtocol.ladder(trained: vectors, forward: nil, split: split, graph: graph, on: .test, k: 1)
        #expect(steps.map(\.step) == SeedProtocol.Step.allCases)
        let hit = steps.map(\.result.hitRate)
        // honest: user 0 ranks movie 2 (dot 3 > 1) over the target, movie 0 excluded; user 1 finds movie 2.
        #expect(hit[0] == 0.5)
        // Without a forward pass the leak cannot reach the model: the same figures.
        #expect(hit[1] == 0.5)
        // Cosine: movie 1 (0.89) beats movie 2 (0.51) for user 0.
        #expect(hit[2] == 1)
        // Nothing excluded: movie 0 (cosine 1) takes user 0's only slot.
        #expect(hit[3] == 0.5)
        // MRR over the one user with a hit is 1; over both users it is 0.5.
        #expect(steps[3].mrr == 0.5 && steps[3].mrrUsers == 2)
        #expect(steps[4].mrr == 1 && steps[4].mrrUsers == 1 && steps[4].result.hitRate == 0.5)
        // The honest row is the plain evaluator's.
        let plain = try Evaluator(split: split, graph: graph, on: .test, k: 1).evaluate(vectors)
        #expect(steps[0].result.ndcg == plain.ndcg && steps[0].mrr == plain.mrr)
    }

    @Test func theLeakRunsTheForwardPassWithTheHeldOutEdges() throws {
        let seen = Box()
        _ = try SeedProtocol.ladder(trained: vectors, forward: { g in
            seen.edges = g.edges
            return vectors
        }, split: split, graph: graph, on: .test, k: 1)
        #expect(seen.edges == [Edge(0, 0), Edge(0, 1), Edge(1, 2)])
    }

    @Test func aScorerWithoutVectorsIsRefused() {
        struct PairScorer: Scorer {
            var userCount: Int { 2 }
            var itemCount: Int { 3 }
            func scores(users: ArraySlice<Int>, into out: inout Matrix) { out = Matrix(rows: users.count, cols: 3) }
            var movieVectors: (vectors: Matrix, source: String) { (Matrix(rows: 3, cols: 1), "none") }
        }
        #expect(throws: RecError.self) {
            _ = try SeedProtocol.ladder(trained: PairScorer(), forward: nil, split: split, graph: graph, on: .test, k: 1)
        }
    }

    final class Box: @unchecked Sendable { var edges: [Edge] = [] }
}
