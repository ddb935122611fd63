import Foundation
import Testing
import Tensors
@testable import GraphRec

/// Baselines on tiny hand-made graphs with known answers.
///
///     users\movies  0 1 2 3 4
///     u0            1 1 . . .
///     u1            1 1 1 . .
///     u2            1 . 1 . .
///     u3            . . . 1 .
///
/// Movie degrees 3, 2, 2, 1, 0; co-raters (0,1) = 2, (0,2) = 2, (1,2) = 1.
@Suite struct BaselineModelTests {
    let graph = InteractionGraph(userCount: 4, movieCount: 5, edges: [
        Edge(0, 0), Edge(0, 1), Edge(1, 0), Edge(1, 1), Edge(1, 2), Edge(2, 0), Edge(2, 2), Edge(3, 3),
    ])

    func scores(_ e: Embeddings) -> Matrix { BLAS.matmul(e.users, e.items, transposeB: true) }

    /// Every user's scores through the model's scorer.
    func scores(_ s: any Scorer) -> Matrix { s.scores(users: Array(0..<s.userCount)[...]) }

    /// Movies of user u ranked by score, ties to the lower index.
    func ranking(_ e: any Scorer, user u: Int) -> [Int] {
        let s = scores(e)
        return (0..<s.cols).sorted { s[u, $0] != s[u, $1] ? s[u, $0] > s[u, $1] : $0 < $1 }
    }

    func close(_ a: Matrix, _ b: Matrix, _ tol: Float) -> Bool {
        a.rows == b.rows && a.cols == b.cols && zip(a.storage, b.storage).allSatisfy { abs($0 - $1) <= tol }
    }

    // MARK: popularity

    @Test func popularityRanksByTrainDegree() throws {
        let pop = try Popularity.fit(graph: graph, options: try Popularity.parse([:]), control: .silent)
        #expect(pop.counts.storage == [3, 2, 2, 1, 0])
        let e = pop.embed(graph)
        #expect(e.users == Matrix(rows: 4, cols: 1, repeating: 1))
        for u in 0..<4 { #expect(ranking(e, user: u) == [0, 1, 2, 3, 4]) }
    }

    // MARK: item kNN

    @Test func itemKNNHasSymmetricCosineSimilarities() throws {
        let knn = try ItemKNN.fit(graph: graph, options: try ItemKNN.parse([:]), control: .silent)
        let s = knn.denseSimilarity()
        #expect(s == s.transposed())
        let c = 2 / Float(6).squareRoot()
        #expect(abs(s[0, 1] - c) < 1e-6 && abs(s[0, 2] - c) < 1e-6 && abs(s[1, 2] - 0.5) < 1e-6)
        for m in 0..<5 { #expect(s[m, m] == 0) }
        #expect(s[3, 0] == 0 && s[4, 4] == 0)  // no co-raters, and the unrated movie
        // u0 likes 0 and 1: movie 2 scores S[2,0] + S[2,1]; 3 and 4 score 0.
        let e = knn.scorer(graph)
        #expect(abs(scores(e)[0, 2] - (c + 0.5)) < 1e-6)
        // Movies 0 and 1 each score c (their one neighbour among u0's movies); they tie, lower index first.
        #expect(ranking(e, user: 0) == [2, 0, 1, 3, 4])
    }

    @Test func itemKNNKeepsTopNeighborsWithTiesToLowerIndex() throws {
        let knn = try ItemKNN.fit(graph: graph, options: try ItemKNN.parse(["neighbors": "1"]), control: .silent)
        let s = knn.denseSimilarity()
        let c = 2 / Float(6).squareRoot()
        // Movie 0's neighbours 1 and 2 tie at c: only 1 is kept.
        #expect(abs(s[0, 1] - c) < 1e-6 && s[0, 2] == 0)
        #expect(abs(s[1, 0] - c) < 1e-6 && s[1, 2] == 0)
        for m in 0..<5 { #expect((0..<5).filter { s[m, $0] != 0 }.count <= 1) }
    }

    @Test func itemKNNShrinkageDampsSimilarities() throws {
        let knn = try ItemKNN.fit(graph: graph, options: try ItemKNN.parse(["shrink": "2"]), control: .silent)
        #expect(abs(knn.denseSimilarity()[1, 2] - 1 / (2 + 2)) < 1e-6)  // 1 / (sqrt(2*2) + 2)
    }

    // MARK: EASE

    /// Naive Gauss-Jordan inverse in Double, an independent check of the Cholesky path.
    func inverse(_ a: [[Double]]) -> [[Double]] {
        let n = a.count
        var m = a.enumerated().map { i, row in row + (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for c in 0..<n {
            let p = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            m.swapAt(c, p)
            let d = m[c][c]
            m[c] = m[c].map { $0 / d }
            for r in 0..<n where r != c {
                let f = m[r][c]
                m[r] = zip(m[r], m[c]).map { $0 - f * $1 }
            }
        }
        return m.map { Array($0[n...]) }
    }

    @Test func easeHasZeroDiagonalAndMatchesClosedForm() throws {
        let lambda = 0.5
        let ease = try EASE.fit(graph: graph, options: try EASE.parse(["lambda": "0.5"]), control: .silent)
        let x = graph.userItems.dense()
        let g = BLAS.matmul(x, transposeA: true, x)
        let p = inverse((0..<5).map { i in (0..<5).map { j in Double(g[i, j]) + (i == j ? lambda : 0) } })
        for m in 0..<5 {
            #expect(ease.weights[m, m] == 0)
            for j in 0..<5 where j != m {
                // weights = B: B_jm = -P_jm / P_mm
                #expect(abs(Double(ease.weights[j, m]) - (-p[j][m] / p[m][m])) < 1e-4)
            }
        }
        // The saved form is B^T (items row m = column m of B), as bundles have always held it.
        #expect(ease.parameters["items"] == ease.weights.transposed())
        // u0 (movies 0, 1) is pointed at 2, which co-occurs with both; 3 and 4 get nothing.
        let s = scores(ease.scorer(graph))
        #expect(s[0, 2] > 0.1 && s[0, 3] == 0 && s[0, 4] == 0)
    }

    // MARK: PureSVD

    @Test func pureSVDRecoversRankOneMatrix() throws {
        // A 3x3 block of ones among 5 users and 4 movies: rank 1.
        var edges: [Edge] = []
        for u in 1...3 { for m in 0...2 { edges.append(Edge(u, m)) } }
        let g = InteractionGraph(userCount: 5, movieCount: 4, edges: edges)
        let svd = try PureSVD.fit(graph: g, options: try PureSVD.parse(["factors": "1"]), control: .silent)
        #expect(close(scores(svd.embed(g)), g.userItems.dense(), 1e-5))
        let v = svd.factors
        #expect(abs(v[0, 0] - 1 / Float(3).squareRoot()) < 1e-5 && abs(v[3, 0]) < 1e-6)  // sign fixed positive
        // The same block in a graph with fewer users than movies (user-side Gram).
        let wide = InteractionGraph(userCount: 3, movieCount: 6, edges: (0...1).flatMap { u in (2...4).map { Edge(u, $0) } })
        let svdWide = try PureSVD.fit(graph: wide, options: try PureSVD.parse(["factors": "2"]), control: .silent)
        #expect(close(scores(svdWide.embed(wide)), wide.userItems.dense(), 1e-5))
        #expect(svdWide.factors[2, 1] == 0 && abs(svdWide.factors[2, 0] - 1 / Float(3).squareRoot()) < 1e-5)
    }

    @Test func pureSVDMatchesTruncatedSVDOnEitherGramSide() throws {
        // 40 x 30 decomposes X^T X; its transpose, 30 x 40, decomposes X X^T.
        let tall = randomGraph(seed: 9)
        let wide = InteractionGraph(userCount: 30, movieCount: 40, edges: tall.edges.map { Edge(Int($0.movie), Int($0.user)) })
        for g in [tall, wide] {
            let x = g.userItems.dense()
            let (u, s, vt) = try LAPACK.svd(x)
            var best = Matrix(rows: x.rows, cols: x.cols)   // U_5 S_5 V_5^T, the best rank-5 approximation
            for r in 0..<x.rows { for m in 0..<x.cols { for c in 0..<5 { best[r, m] += u[r, c] * s[c] * vt[c, m] } } }
            let svd = try PureSVD.fit(graph: g, options: try PureSVD.parse(["factors": "5"]), control: .silent)
            #expect(close(scores(svd.embed(g)), best, 1e-3), "\(g.userCount) users")
            let vtv = BLAS.matmul(svd.factors, transposeA: true, svd.factors)
            for i in 0..<5 { for j in 0..<5 { #expect(abs(vtv[i, j] - (i == j ? 1 : 0)) < 1e-3) } }
        }
    }

    @Test func pureSVDFactorsAreOrthonormalTopEigenvectors() throws {
        let svd = try PureSVD.fit(graph: graph, options: try PureSVD.parse(["factors": "3"]), control: .silent)
        let vtv = BLAS.matmul(svd.factors, transposeA: true, svd.factors)
        #expect(close(vtv, Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), 1e-5))
        // Full rank (4 nonzero singular values here) reproduces X exactly.
        let full = try PureSVD.fit(graph: graph, options: try PureSVD.parse(["factors": "4"]), control: .silent)
        #expect(close(scores(full.embed(graph)), graph.userItems.dense(), 1e-4))
    }

    // MARK: ALS

    /// A random 40 x 30 graph, ~20% dense.
    func randomGraph(seed: UInt64) -> InteractionGraph {
        var rng = SeededGenerator(seed: seed)
        var edges: [Edge] = []
        for u in 0..<40 { for m in 0..<30 where rng.nextFloat() < 0.2 { edges.append(Edge(u, m)) } }
        return InteractionGraph(userCount: 40, movieCount: 30, edges: edges)
    }

    @Test func alsLowersItsObjectiveEverySweep() throws {
        for g in [graph, randomGraph(seed: 1)] {
            let als = try ALS.fit(graph: g, options: try ALS.parse(["factors": "4", "reg": "0.1", "alpha": "10",
                                                                    "iterations": "8"]), control: .silent)
            let loss = als.history.loss
            #expect(loss.count == 8)
            for i in 1..<loss.count { #expect(loss[i] <= loss[i - 1] * (1 + 1e-5), "sweep \(i + 1) rose: \(loss)") }
            #expect(loss.last! < loss.first!)
        }
    }

    @Test func alsObjectiveMatchesBruteForce() throws {
        let g = randomGraph(seed: 2)
        var rng = SeededGenerator(seed: 5)
        let x = Matrix.normal(rows: 40, cols: 3, using: &rng), y = Matrix.normal(rows: 30, cols: 3, using: &rng)
        let (reg, alpha): (Float, Float) = (0.3, 4)
        let s = BLAS.matmul(x, y, transposeB: true)
        let liked = Set(g.edges)
        var brute = 0.0
        for u in 0..<40 { for m in 0..<30 {
            let p = liked.contains(Edge(u, m)) ? 1.0 : 0.0
            brute += (1 + Double(alpha) * p) * (p - Double(s[u, m])) * (p - Double(s[u, m]))
        } }
        brute += Double(reg) * (x.storage + y.storage).reduce(0.0) { $0 + Double($1) * Double($1) }
        let fast = ALS.objective(users: x, items: y, graph: g, reg: reg, alpha: alpha)
        #expect(abs(fast - brute) < 1e-3 * brute)
    }

    @Test func alsIsDeterministicForASeed() throws {
        let g = randomGraph(seed: 3)
        let options = try ALS.parse(["factors": "5", "iterations": "3", "seed": "7"])
        let a = try ALS.fit(graph: g, options: options, control: .silent)
        let b = try ALS.fit(graph: g, options: options, control: .silent)
        #expect(a.embed(g) == b.embed(g))
        let c = try ALS.fit(graph: g, options: try ALS.parse(["factors": "5", "iterations": "3", "seed": "8"]),
                            control: .silent)
        #expect(c.items != a.items)
    }

    @Test func alsStopsAfterTheSweepInProgressAndReports() throws {
        let reports = Collector()
        let control = RunControl(shouldStop: { reports.count >= 2 }, report: { reports.add($0) })
        let g = randomGraph(seed: 4)
        let als = try ALS.fit(graph: g, options: try ALS.parse(["factors": "3", "iterations": "10"]), control: control)
        #expect(als.history.loss.count == 2 && als.history.interrupted)
        #expect(reports.updates.map(\.done) == [1, 2] && reports.updates.allSatisfy { $0.total == 10 && $0.label == "als" })
    }

    // MARK: all baselines

    static let small: [String: [String: String]] = ["svd": ["factors": "2"], "als": ["factors": "3", "iterations": "4"],
                                                    "ease": ["lambda": "1"], "itemknn": ["neighbors": "2"]]

    func fitAll(_ g: InteractionGraph) throws -> [String: any Recommender] {
        var out: [String: any Recommender] = [:]
        for kind in baselineKinds {
            let k = try ModelRegistry.kind(kind)
            out[kind] = try k.fit(FitRequest(graph: g, options: try k.parse(Self.small[kind] ?? [:]))).recommender
        }
        return out
    }

    @Test func parametersRestoreEqualModels() throws {
        for (kind, model) in try fitAll(randomGraph(seed: 5)) {
            let k = try ModelRegistry.kind(kind)
            let restored = try k.restore(parameters: model.parameters, options: try k.parse(Self.small[kind] ?? [:]),
                                         graph: randomGraph(seed: 5))
            #expect(restored.kind == kind)
            #expect(restored.parameters == model.parameters, "\(kind)")
            #expect(scores(restored.scorer(randomGraph(seed: 5))) == scores(model.scorer(randomGraph(seed: 5))), "\(kind)")
        }
    }

    @Test func everyBaselineIsDeterministic() throws {
        let a = try fitAll(randomGraph(seed: 6)), b = try fitAll(randomGraph(seed: 6))
        for kind in baselineKinds { #expect(a[kind]!.parameters == b[kind]!.parameters, "\(kind)") }
    }

    @Test func newUserWithTheSameMoviesGetsTheSameRow() throws {
        let g = randomGraph(seed: 7)
        let grown = g.addingUser(features: nil)
        let newcomer = grown.adding(g.movies(ofUser: 0).map { Edge(40, Int($0)) })
        for (kind, model) in try fitAll(g) {
            #expect(model.isInductive)
            let e = scores(model.scorer(newcomer))
            #expect(e.rows == 41)
            #expect(e.row(40) == e.row(0), "\(kind)")
            // A what-if edge moves only that user's row (popularity ignores users).
            let before = scores(model.scorer(g)), after = scores(model.scorer(g.adding([Edge(1, 29), Edge(1, 28)])))
            #expect(after.row(2) == before.row(2), "\(kind)")
            if kind != "pop" { #expect(after.row(1) != before.row(1), "\(kind)") }
        }
    }

    @Test func badOptionsAreRejectedNamingTheOption() throws {
        let cases: [(String, [String: String], String)] = [
            ("pop", ["neighbors": "3"], "unknown option 'neighbors'"),
            ("itemknn", ["neighbors": "0"], "neighbors"),
            ("itemknn", ["shrink": "-1"], "shrink"),
            ("ease", ["lambda": "abc"], "lambda: expected a number"),
            ("ease", ["lamda": "300"], "unknown option 'lamda'"),
            ("svd", ["factors": "6"], "factors: 6 is out of range 1...5"),
            ("als", ["alpha": "-1"], "alpha"),
            ("als", ["iterations": "0"], "iterations"),
            ("als", ["reg": "0"], "reg"),
            ("als", ["seed": "x"], "seed: expected a whole number"),
        ]
        for (kind, options, message) in cases {
            #expect {
                let k = try ModelRegistry.kind(kind)
                _ = try k.fit(FitRequest(graph: graph, options: try k.parse(options)))
            } throws: { ($0 as? RecError)?.message.contains(message) == true }
        }
        #expect(throws: RecError.self) { _ = try ModelRegistry.kind("knn") }
        #expect { _ = try EASE(parameters: [:]) } throws: {
            ($0 as? RecError)?.message.contains("missing parameter 'items'") == true
        }
        #expect(ModelRegistry.kinds.allSatisfy { $0.options.contains { $0.name == "seed" } })
    }
}

/// Collects progress reports across threads (test helper).
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ProgressUpdate] = []
    func add(_ u: ProgressUpdate) { lock.lock(); stored.append(u); lock.unlock() }
    var updates: [ProgressUpdate] { lock.lock(); defer { lock.unlock() }; return stored }
    var count: Int { updates.count }
}
