import Foundation
import Testing
import Tensors
@testable import GraphRec

/// Item-item models at scale: sparse scoring from each user's likes equals
/// the dense product, ItemKNN keeps only its top neighbours and saves them
/// sparse, a crafted bundle is refused, EASE refuses a catalogue it cannot
/// invert, the evaluator reports progress and stops, and memory is counted
/// by part with shared storage once.
@Suite struct ItemItemScaleTests {
    /// Users with skewed degrees over 60 movies, so rows have varied lengths and ties.
    func graph(seed: UInt64, users: Int = 50, movies: Int = 60) -> InteractionGraph {
        var rng = SeededGenerator(seed: seed)
        var edges: [Edge] = []
        for u in 0..<users {
            let p = 0.05 + 0.3 * rng.nextFloat()
            for m in 0..<movies where rng.nextFloat() < p * (m % 3 == 0 ? 1.5 : 1) { edges.append(Edge(u, m)) }
        }
        return InteractionGraph(userCount: users, movieCount: movies, edges: edges)
    }

    func allScores(_ s: any Scorer) -> Matrix { s.scores(users: Array(0..<s.userCount)[...]) }

    func maxDifference(_ a: Matrix, _ b: Matrix) -> Float {
        precondition(a.rows == b.rows && a.cols == b.cols)
        return zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
    }

    /// Full cosine similarities by dense BLAS, the reference the sparse fit must match.
    func denseCosine(_ g: InteractionGraph, shrink: Float = 0) -> Matrix {
        let x = g.userItems.dense()
        var s = BLAS.matmul(x, transposeA: true, x)
        let norm = (0..<g.movieCount).map { s[$0, $0].squareRoot() }
        for m in 0..<g.movieCount {
            for j in 0..<g.movieCount {
                let d = norm[m] * norm[j] + shrink
                s[m, j] = (m == j || d == 0) ? 0 : s[m, j] / d
            }
        }
        return s
    }

    @Test(arguments: [1, 5, 20, 59, 500])
    func sparseItemKNNEqualsTheDenseForm(neighbors: Int) throws {
        let g = graph(seed: UInt64(neighbors))
        let knn = try ItemKNN.fit(graph: g, options: try ItemKNN.parse(["neighbors": "\(neighbors)", "shrink": "1"]),
                                  control: .silent)
        let full = denseCosine(g, shrink: 1)
        let keep = min(neighbors, g.movieCount - 1)
        let s = knn.denseSimilarity()
        for m in 0..<g.movieCount {
            // The kept row is the keep largest of the full row (ties to the lower index), zeros dropped.
            let order = (0..<g.movieCount).filter { $0 != m }
                .sorted { full[m, $0] != full[m, $1] ? full[m, $0] > full[m, $1] : $0 < $1 }
            let expected = Set(order.prefix(keep).filter { full[m, $0] > 0 })
            let kept = Set((0..<g.movieCount).filter { s[m, $0] != 0 })
            #expect(kept == expected, "movie \(m)")
            for j in kept { #expect(s[m, j] == full[m, j]) }
            #expect(knn.neighbours.rowCount(m) <= keep)
        }
        // Scores from the sparse likes equal X S^T computed densely.
        let dense = BLAS.matmul(g.userItems.dense(), s, transposeB: true)
        #expect(maxDifference(allScores(knn.scorer(g)), dense) < 1e-5)
    }

    @Test func sparseEASEScoringEqualsTheDenseProduct() throws {
        let g = graph(seed: 3)
        let ease = try EASE.fit(graph: g, options: try EASE.parse(["lambda": "2"]), control: .silent)
        let dense = BLAS.matmul(g.userItems.dense(), ease.weights)
        #expect(maxDifference(allScores(ease.scorer(g)), dense) < 1e-4)
        // A block of users in any order scores as their rows.
        let block = ease.scorer(g).scores(users: [7, 2, 40][...])
        for (r, u) in [7, 2, 40].enumerated() {
            #expect(maxDifference(Matrix(rows: 1, cols: g.movieCount, storage: block.row(r)),
                                  Matrix(rows: 1, cols: g.movieCount, storage: dense.row(u))) < 1e-4)
        }
    }

    /// The Gram from sparse likes, inverted from its Cholesky factor, against a dense X^T X and `sposv`.
    @Test func easeFromSparseLikesEqualsTheDenseClosedForm() throws {
        let g = graph(seed: 4, users: 30, movies: 12)
        let ease = try EASE.fit(graph: g, options: try EASE.parse(["lambda": "5"]), control: .silent)
        let x = g.userItems.dense()
        var gram = BLAS.matmul(x, transposeA: true, x)
        for m in 0..<12 { gram[m, m] += 5 }
        var identity = Matrix(rows: 12, cols: 12)
        for m in 0..<12 { identity[m, m] = 1 }
        let p = try LAPACK.solvePositiveDefinite(gram, identity)
        for j in 0..<12 {
            for m in 0..<12 where m != j {
                #expect(abs(ease.weights[j, m] - (-p[j, m] / p[m, m])) < 1e-4)
            }
        }
    }

    @Test func itemKNNSavesItsNeighboursSparse() throws {
        let g = graph(seed: 5)
        let knn = try ItemKNN.fit(graph: g, options: try ItemKNN.parse(["neighbors": "7"]), control: .silent)
        let p = knn.parameters
        #expect(p.keys.sorted() == ["neighbors", "similarities"])
        #expect(p["neighbors"]!.rows == 60 && p["neighbors"]!.cols == 7 && p["similarities"]!.cols == 7)
        let restored = try ItemKNN(parameters: p)
        #expect(restored == knn)
        #expect(allScores(restored.scorer(g)) == allScores(knn.scorer(g)))
        let shapes = try ItemKNN.parameterShapes(options: try ItemKNN.parse(["neighbors": "7"]), graph: g)
        #expect(shapes == ["neighbors": [60, 7], "similarities": [60, 7]])
    }

    /// Every crafted table is refused with the row named; none traps.
    @Test func craftedNeighbourTablesAreRefused() throws {
        let g = graph(seed: 6)
        let good = try ItemKNN.fit(graph: g, options: try ItemKNN.parse(["neighbors": "4"]), control: .silent).parameters
        let row = (0..<60).first { good["neighbors"]![$0, 3] >= 0 && good["neighbors"]![$0, 0] > 0 }!
        func refused(_ edit: (inout Matrix, inout Matrix) -> Void, _ message: String) {
            var index = good["neighbors"]!, sim = good["similarities"]!
            edit(&index, &sim)
            let error = recErrorMessage { _ = try ItemKNN(parameters: ["neighbors": index, "similarities": sim]) }
            #expect(error?.contains(message) == true, "\(error ?? "accepted")")
        }
        refused({ i, _ in i[row, 0] = 60 }, "not a movie index in 0..<60")
        refused({ i, _ in i[row, 0] = .nan }, "not a movie index")
        refused({ i, _ in i[row, 0] = -7 }, "not a movie index")
        refused({ i, _ in i[row, 0] = 0.5 }, "not a movie index")
        refused({ i, _ in i[row, 0] = .infinity }, "not a movie index")
        refused({ i, _ in i[row, 0] = Float(row) }, "is the movie itself")
        refused({ i, _ in i[row, 1] = i[row, 0] }, "not above the one before")
        refused({ _, s in s[row, 0] = -1 }, "kept similarities are positive")
        refused({ _, s in s[row, 0] = .nan }, "kept similarities are positive")
        refused({ i, s in i[row, 1] = -1; s[row, 1] = 0 }, "follows the padding")
        refused({ i, _ in i[row, 3] = -1 }, "is padding (-1) but has similarity")
        #expect(recErrorMessage { _ = try ItemKNN(parameters: ["neighbors": good["neighbors"]!]) }?
            .contains("missing parameter 'similarities'") == true)
        #expect(recErrorMessage {
            _ = try ItemKNN(parameters: ["neighbors": good["neighbors"]!, "similarities": Matrix(rows: 60, cols: 3)])
        }?.contains("has 3 columns, expected 4") == true)
    }

    @Test func easeRefusesACatalogueTooLargeToInvert() throws {
        let g = InteractionGraph(userCount: 3, movieCount: 2_000, edges: [Edge(0, 1), Edge(1, 2)])
        let budget = ResourceBudget(memoryLimit: 10e6, system: { nil })
        let message = recErrorMessage { try EASE.checkSize(g, budget: budget) }
        #expect(message?.contains("2000 movies is too large a catalogue for EASE") == true, "\(message ?? "accepted")")
        #expect(message?.contains("needs about 32 MB of memory, more than the 10 MB available (memory-limit)") == true)
        #expect(message?.contains("itemknn") == true)
        // The same refusal from the registry's fit, before anything is allocated.
        let control = RunControl(budget: budget)
        #expect(throws: RecError.self) {
            _ = try EASE.fit(FitRequest(graph: g, options: try EASE.parse([:]), control: control))
        }
        // A long uninterruptible inversion is refused by time.
        let slow = ResourceBudget(memoryLimit: 1e12, maxStepSeconds: 1e-6, system: { nil })
        #expect(recErrorMessage { try EASE.checkSize(g, budget: slow) }?.contains("uninterruptible") == true)
        try EASE.checkSize(g, budget: ResourceBudget(memoryLimit: 1e9, system: { nil }))
    }

    @Test func evaluationReportsProgressAndStops() throws {
        let g = graph(seed: 7, users: 300, movies: 40)
        let split = try Split.warm(positives: g.edges, seed: 1)
        let train = InteractionGraph(userCount: 300, movieCount: 40, edges: split.train)
        var evaluator = try Evaluator(split: split, graph: train, on: .test)
        evaluator.blockSize = 16
        let model = try ItemKNN.fit(graph: train, options: try ItemKNN.parse([:]), control: .silent).scorer(train)
        let reports = Collector()
        let plain = evaluator.evaluate(model)
        let watched = try evaluator.evaluate(model, control: RunControl(report: { reports.add($0) }))
        #expect(watched.perUser == plain.perUser && watched.ndcg == plain.ndcg)
        let users = evaluator.set.users.count
        #expect(reports.updates.allSatisfy { $0.label == "eval" && $0.total == users })
        #expect(reports.updates.map(\.done).max() == users)
        let seen = Collector()
        let stopped = RunControl(shouldStop: { seen.count >= 2 }, report: { seen.add($0) })
        #expect(recErrorMessage { _ = try evaluator.evaluate(model, control: stopped) }?.contains("interrupted") == true)
        #expect(seen.count < (users + 15) / 16, "stopped at the next block, not after every user")
    }

    @Test func memoryCountsSharedStorageOnce() throws {
        let g = graph(seed: 8)
        let knn = try ItemKNN.fit(graph: g, options: try ItemKNN.parse(["neighbors": "5"]), control: .silent)
        let model = TrainedModel(name: "knn", recommender: knn, options: [:], history: TrainingHistory(), scorer: knn.scorer(g))
        var ledger = MemoryLedger()
        ledger.begin("graph")
        ledger.add(g)
        ledger.begin("model:knn")
        ledger.add(model)
        func bytes(_ c: CSRMatrix) -> Int { c.rowStart.count * 8 + c.colIndex.count * 4 + c.values.count * 4 }
        // Both incidence directions share one buffer of ones: counted once.
        let graphBytes = g.edges.count * 8 + bytes(g.userItems) + bytes(g.itemUsers) - g.itemUsers.values.count * 4
        #expect(ledger.parts.map(\.name) == ["graph", "model:knn"])
        #expect(ledger.parts[0].bytes == graphBytes)
        // The scorer's likes are the graph's incidence: not counted again under the model.
        #expect(ledger.parts[1].bytes == bytes(knn.neighbours) + bytes(knn.contributions))
        #expect(ledger.total == graphBytes + ledger.parts[1].bytes)
    }
}
