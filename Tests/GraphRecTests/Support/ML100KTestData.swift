// TEST-ONLY. A tiny reader of the MovieLens-100K files, a per-user split and
// NDCG@10, so the engine can be tested on real data before the real loader
// (GraphRec/Data) and evaluator (GraphRec/Evaluation) exist. Do not use
// outside tests; the real ones are the reference.
import Foundation
import Tensors
import TestSupport
@testable import GraphRec

enum ML100KTestData {
    /// $RECSH_TEST_DATA, else ../shared/data/ml-100k relative to the package
    /// root: the one place this test target locates the real data.
    static var directory: String { TestData.ml100k }

    static var available: Bool { TestData.ml100kAvailable }

    struct Loaded {
        var graph: InteractionGraph          // train positives only
        var train: [[Int]], validation: [[Int]], test: [[Int]]   // per user, movie indices
    }

    /// Ratings >= 3 split per user 80/10/10 (seeded), features as PyG's MovieLens100K builds them.
    static func load(seed: UInt64 = 0) throws -> Loaded {
        let dir = directory
        let data = try String(contentsOfFile: dir + "/u.data", encoding: .utf8)
        let userLines = try String(contentsOfFile: dir + "/u.user", encoding: .isoLatin1).split(separator: "\n")
        let itemLines = try String(contentsOfFile: dir + "/u.item", encoding: .isoLatin1).split(separator: "\n")
        let users = userLines.count, movies = itemLines.count
        var liked = [[Int]](repeating: [], count: users)
        for line in data.split(separator: "\n") {
            let f = line.split(separator: "\t")
            if Int(f[2])! >= 3 { liked[Int(f[0])! - 1].append(Int(f[1])! - 1) }
        }
        // User features: age / max age, gender one-hot (F, M), occupation one-hot (sorted).
        let uf = userLines.map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let occupations = Array(Set(uf.map { $0[3] })).sorted()
        let maxAge = Float(uf.map { Int($0[1])! }.max()!)
        var userX = Matrix(rows: users, cols: 3 + occupations.count)
        for (u, f) in uf.enumerated() {
            userX[u, 0] = Float(Int(f[1])!) / maxAge
            userX[u, f[2] == "F" ? 1 : 2] = 1
            userX[u, 3 + occupations.firstIndex(of: f[3])!] = 1
        }
        // Movie features: the 18 genre flags after "unknown".
        var movieX = Matrix(rows: movies, cols: 18)
        for (m, line) in itemLines.enumerated() {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            for g in 0..<18 { movieX[m, g] = Float(f[6 + g])! }
        }
        var rng = SeededGenerator(seed: seed, stream: "test.split")
        var train = [[Int]](repeating: [], count: users), val = train, test = train
        for u in 0..<users {
            var items = liked[u].sorted()
            rng.shuffle(&items)
            let nTest = items.count / 10, nVal = items.count / 10
            test[u] = Array(items[0..<nTest])
            val[u] = Array(items[nTest..<(nTest + nVal)])
            train[u] = Array(items[(nTest + nVal)...])
        }
        let edges = train.enumerated().flatMap { u, ms in ms.map { Edge(u, $0) } }
        let graph = InteractionGraph(userCount: users, movieCount: movies, edges: edges,
                                     userFeatures: userX, movieFeatures: movieX)
        return Loaded(graph: graph, train: train, validation: val, test: test)
    }

    /// Mean NDCG@k over users with a target item: rank every movie except
    /// `excluded` (train, plus val when scoring test), ties to the lower index.
    static func ndcg(_ e: Embeddings, targets: [[Int]], excluded: [[Int]], k: Int = 10) -> Double {
        let scores = BLAS.matmul(e.users, e.items, transposeB: true)
        var total = 0.0, counted = 0
        for u in 0..<targets.count where !targets[u].isEmpty {
            let skip = Set(excluded[u]), hits = Set(targets[u])
            var top: [(score: Float, item: Int)] = []
            for m in 0..<scores.cols where !skip.contains(m) {
                let s = scores[u, m]
                if top.count < k || s > top[top.count - 1].score {
                    top.append((s, m))
                    top.sort { $0.score > $1.score || ($0.score == $1.score && $0.item < $1.item) }
                    if top.count > k { top.removeLast() }
                }
            }
            var dcg = 0.0, ideal = 0.0
            for (rank, entry) in top.enumerated() where hits.contains(entry.item) { dcg += 1 / log2(Double(rank) + 2) }
            for rank in 0..<min(k, hits.count) { ideal += 1 / log2(Double(rank) + 2) }
            total += dcg / ideal
            counted += 1
        }
        return total / Double(max(counted, 1))
    }

    /// The excluded sets for test evaluation: train and validation positives.
    static func exclusionsForTestPart(_ d: Loaded) -> [[Int]] { zip(d.train, d.validation).map { $0 + $1 } }
}
