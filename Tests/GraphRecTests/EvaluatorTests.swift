import Testing
import Tensors
@testable import GraphRec

@Suite struct EvaluatorTests {
    /// Embeddings whose product is exactly `scores`: users = scores, items = identity.
    func embeddings(scoring scores: [[Double]], items: Int) -> Embeddings {
        let u = Matrix(scores.map { $0.map(Float.init) })
        var eye = Matrix(rows: items, cols: items)
        for i in 0..<items { eye[i, i] = 1 }
        return Embeddings(users: u, items: eye)
    }

    @Test func productionKernelReproducesGoldenCases() throws {
        for c in try EvalTestData.goldenCases() {
            let set = try EvaluationSet(itemCount: c.items, targets: c.targets, exclusions: c.exclude)
            for (block, workers) in [(256, 1), (3, 2)] {
                let r = Evaluator(set: set, k: c.k, blockSize: block, workers: workers)
                    .evaluate(embeddings(scoring: c.scores, items: c.items))
                #expect(Double(r.users) == c.expected["users"])
                let pairs: [(Double, String)] = [(r.precision, "P@10"), (r.recall, "R@10"), (r.ndcg, "NDCG@10"),
                    (r.mrr, "MRR@10"), (r.mrrFull, "MRR"), (r.hitRate, "HR@10"), (r.map, "MAP@10")]
                for (value, key) in pairs {
                    #expect(abs(value - c.expected[key]!) <= 1e-9, "\(key): \(value) vs \(c.expected[key]!)")
                }
            }
        }
    }

    @Test func agreesWithReferenceOnIntegerEmbeddingsWithTies() throws {
        var rng = SeededGenerator(seed: 5)
        let users = 150, items = 97, d = 4, k = 10
        let u = Matrix(rows: users, cols: d, storage: (0..<users * d).map { _ in Float(rng.nextInt(below: 3)) })
        let v = Matrix(rows: items, cols: d, storage: (0..<items * d).map { _ in Float(rng.nextInt(below: 3)) })
        var targets: [[Int]] = [], excluded: [[Int]] = []
        for _ in 0..<users {
            let ex = (0..<items).filter { _ in rng.nextInt(below: 5) == 0 }
            let exSet = Set(ex)
            let t = (0..<items).filter { !exSet.contains($0) && rng.nextInt(below: 30) == 0 }
            targets.append(t); excluded.append(ex)
        }
        let scores = (0..<users).map { a in (0..<items).map { b in
            (0..<d).reduce(0.0) { $0 + Double(u[a, $1] * v[b, $1]) } } }
        let (n, ref) = RankingMetrics.evaluate(scores: scores, targets: targets, excluded: excluded, k: k)
        let set = try EvaluationSet(itemCount: items, targets: targets, exclusions: excluded)
        let r = Evaluator(set: set, k: k, blockSize: 16, workers: 2).evaluate(Embeddings(users: u, items: v))
        #expect(r.users == n && r.userIndices == set.users && r.perUser.count == n)
        for (a, b) in zip([r.precision, r.recall, r.ndcg, r.mrr, r.mrrFull, r.hitRate, r.map],
                          [ref.precision, ref.recall, ref.ndcg, ref.mrr, ref.mrrFull, ref.hitRate, ref.map]) {
            #expect(abs(a - b) < 1e-12)
        }
    }

    @Test func setFromSplitExcludesTrainAndValidationForTest() throws {
        let graph = InteractionGraph(userCount: 2, movieCount: 5, edges: [Edge(0, 0), Edge(1, 1)])
        let split = Split(kind: .warm, ratios: [80, 10, 10], seed: 0, train: [Edge(0, 0), Edge(1, 1)],
                          validation: [Edge(0, 2)], test: [Edge(0, 3), Edge(0, 0)])
        let test = try EvaluationSet(split: split, graph: graph, on: .test)
        #expect(Array(test.exclusions(of: 0)) == [0, 2])
        #expect(Array(test.targets(of: 0)) == [3], "a target that is excluded is dropped")
        #expect(test.users == [0])
        let val = try EvaluationSet(split: split, graph: graph, on: .validation)
        #expect(Array(val.exclusions(of: 0)) == [0])
        #expect(Array(val.targets(of: 0)) == [2])
        #expect(throws: RecError.self) { try EvaluationSet(split: split, graph: graph, on: .train) }
        #expect(throws: RecError.self) { try EvaluationSet(itemCount: 3, targets: [[5]], exclusions: [[]]) }
    }

    @Test func validationNDCGIsTheEvaluatorsMean() throws {
        let graph = InteractionGraph(userCount: 2, movieCount: 3, edges: [Edge(0, 0)])
        let split = Split(kind: .warm, ratios: [], seed: 0, train: [Edge(0, 0)], validation: [Edge(0, 2), Edge(1, 1)], test: [])
        let e = Embeddings(users: Matrix([[1, 0], [0, 1]]), items: Matrix([[5, 0], [2, 0], [1, 0]]))
        let f = try #require(try Evaluator.validationNDCG(split: split, graph: graph, k: 1))
        // User 0: movie 0 excluded, ranking 1, 2 -> no hit at k=1. User 1: all scores 0, ranking 0, 1 -> miss.
        #expect(f(e) == 0)
        let e2 = Embeddings(users: Matrix([[-1, 0], [0, 1]]), items: e.items)
        // User 0 now ranks 2 first -> hit; user 1 still misses. Mean 0.5.
        #expect(f(e2) == 0.5)
        let noVal = Split(kind: .warm, ratios: [], seed: 0, train: [], validation: [], test: [])
        #expect(try Evaluator.validationNDCG(split: noVal, graph: graph) == nil)
    }
}
