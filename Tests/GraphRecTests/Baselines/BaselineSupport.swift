import Foundation
import Tensors
@testable import GraphRec

/// TEST-ONLY stand-ins for the real ML-100K loader, warm splitter and
/// evaluator, which are written elsewhere in parallel. They exist so the
/// baseline tests can measure quality now; do not use them outside tests.
///
/// Protocol: positives are ratings >= 3 of u.data; each user's positives,
/// in file order, are shuffled (SeededGenerator stream "test.split") and cut
/// 80/10/10 (train = round(0.8 n), val = round(0.1 n), test = the rest).
/// A user's ranking covers every movie minus the excluded positives; ties
/// rank the lower movie index first.
enum BaselineBench {
    struct Data {
        var userCount: Int
        var movieCount: Int
        var train: [Edge]
        var validation: [Edge]
        var test: [Edge]
        var graph: InteractionGraph { InteractionGraph(userCount: userCount, movieCount: movieCount, edges: train) }
    }

    struct Metrics: CustomStringConvertible {
        var precision = 0.0, recall = 0.0, ndcg = 0.0, mrr = 0.0
        var users = 0
        var description: String {
            func f(_ x: Double) -> String { String(format: "%.4f", x) }
            return "P@10 \(f(precision)) R@10 \(f(recall)) NDCG@10 \(f(ndcg)) MRR@10 \(f(mrr)) users \(users)"
        }
    }

    static var directory: String { ML100KTestData.directory }

    static var available: Bool { ML100KTestData.available }

    static func load(seed: UInt64 = 0) throws -> Data {
        let text = try String(contentsOfFile: directory + "/u.data", encoding: .utf8)
        var byUser: [Int: [Int]] = [:]
        var userCount = 0, movieCount = 0
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t")
            guard f.count >= 3, let u = Int(f[0]), let m = Int(f[1]), let r = Double(f[2]) else { continue }
            userCount = max(userCount, u); movieCount = max(movieCount, m)
            if r >= 3 { byUser[u - 1, default: []].append(m - 1) }
        }
        var rng = SeededGenerator(seed: seed, stream: "test.split")
        var data = Data(userCount: userCount, movieCount: movieCount, train: [], validation: [], test: [])
        for u in 0..<userCount {
            var movies = byUser[u] ?? []
            rng.shuffle(&movies)
            let n = movies.count
            let nTrain = Int((0.8 * Double(n)).rounded()), nVal = Int((0.1 * Double(n)).rounded())
            for (i, m) in movies.enumerated() {
                let e = Edge(u, m)
                if i < nTrain { data.train.append(e) } else if i < nTrain + nVal { data.validation.append(e) } else { data.test.append(e) }
            }
        }
        return data
    }

    /// Top-10 metrics of `scorer` against `target`, over users with a target,
    /// ranking all movies minus those in `exclude`.
    static func evaluate(_ scorer: any Scorer, target: [Edge], exclude: [[Edge]], k: Int = 10) -> Metrics {
        let scores = scorer.scores(users: Array(0..<scorer.userCount)[...])
        let movies = scores.cols
        var targets = [Set<Int>](repeating: [], count: scores.rows)
        for e in target { targets[Int(e.user)].insert(Int(e.movie)) }
        var excluded = [Set<Int>](repeating: [], count: scores.rows)
        for part in exclude { for e in part { excluded[Int(e.user)].insert(Int(e.movie)) } }
        var sum = Metrics()
        for u in 0..<scores.rows where !targets[u].isEmpty {
            // Top k by (score desc, index asc), by insertion.
            var top: [(Float, Int)] = []
            let skip = excluded[u]
            var masked = [Bool](repeating: false, count: movies)
            for m in skip { masked[m] = true }
            for m in 0..<movies where !masked[m] {
                let s = scores[u, m]
                if top.count == k, let last = top.last, !(s > last.0) { continue }
                var i = top.count
                while i > 0 && s > top[i - 1].0 { i -= 1 }
                top.insert((s, m), at: i)
                if top.count > k { top.removeLast() }
            }
            var hits = 0, dcg = 0.0, firstHit = 0
            for (rank, (_, m)) in top.enumerated() where targets[u].contains(m) {
                hits += 1
                dcg += 1 / log2(Double(rank + 2))
                if firstHit == 0 { firstHit = rank + 1 }
            }
            let ideal = (0..<min(targets[u].count, k)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
            sum.precision += Double(hits) / Double(k)
            sum.recall += Double(hits) / Double(targets[u].count)
            sum.ndcg += dcg / ideal
            sum.mrr += firstHit == 0 ? 0 : 1 / Double(firstHit)
            sum.users += 1
        }
        let n = Double(max(sum.users, 1))
        return Metrics(precision: sum.precision / n, recall: sum.recall / n, ndcg: sum.ndcg / n,
                       mrr: sum.mrr / n, users: sum.users)
    }

    /// Validation and test metrics of a fitted model on `data`.
    static func measure(_ model: any Recommender, on data: Data) -> (val: Metrics, test: Metrics) {
        let e = model.scorer(data.graph)
        return (evaluate(e, target: data.validation, exclude: [data.train]),
                evaluate(e, target: data.test, exclude: [data.train, data.validation]))
    }
}

/// The closed-form and ALS baselines, by the names `train` takes.
let baselineKinds = ["pop", "itemknn", "ease", "svd", "als"]
