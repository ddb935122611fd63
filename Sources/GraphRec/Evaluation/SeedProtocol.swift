import Tensors

/// The seed study's evaluation protocol, reached from the honest one change
/// at a time, so each change's share of the published figures shows.
///
/// The seed split users 80/10/10 (a test user's every like held out, as
/// `split cold` does) and then evaluated:
/// 1. with the evaluated users' own held-out edges in the message-passing
///    graph: the model sees the answers (the leak);
/// 2. by cosine of the user and movie vectors instead of the dot product
///    the model was trained to rank with;
/// 3. excluding nothing from the ranking (known likes may be recommended);
/// 4. with MRR averaged over the users with at least one hit only.
///
/// Each step keeps the previous ones; the last is the seed's protocol.
public enum SeedProtocol {
    public enum Step: String, CaseIterable, Sendable {
        case honest, leak, cosine, noExclusion = "no-exclusion", mrrHitsOnly = "mrr-hits-only"

        /// What the step changes, for tables.
        public var change: String {
            switch self {
            case .honest: "honest: train graph, dot product, known likes excluded"
            case .leak: "+ evaluated users' held-out edges in the graph"
            case .cosine: "+ cosine instead of dot product"
            case .noExclusion: "+ nothing excluded from the ranking"
            case .mrrHitsOnly: "+ MRR over users with a hit only (the seed's protocol)"
            }
        }
    }

    /// One step's metrics. `mrr` follows the step's definition (over every
    /// evaluated user, or over those with a hit from `mrrHitsOnly` on).
    public struct Outcome: Sendable {
        public var step: Step
        public var result: EvaluationResult
        public var mrr: Double
        /// Users the MRR is averaged over.
        public var mrrUsers: Int
    }

    /// Every step for one model. `trained` is its scorer on `graph` (the
    /// split's train graph); `forward` its forward pass on another graph, nil
    /// when it has none (fixed user vectors: the leak cannot reach it).
    /// Throws for a model without vectors (cosine needs a dot product).
    public static func ladder(trained: any Scorer, forward: ((InteractionGraph) -> any Scorer)?,
                              split: Split, graph: InteractionGraph, on part: Split.Part, k: Int) throws -> [Outcome] {
        let honestSet = try EvaluationSet(split: split, graph: graph, on: part)
        guard !honestSet.users.isEmpty else { throw RecError("no user has a \(part.rawValue) positive in this split") }
        let held = split.edges(part)
        let leaked = forward.map { $0(graph.adding(held)) } ?? trained
        guard let leakedVectors = leaked as? Embeddings else {
            throw RecError("protocol=seed takes the cosine of user and movie vectors; this model scores pairs "
                + "through a network, not a dot product, and has none")
        }
        let cosine = Embeddings(users: rowsNormalized(leakedVectors.users), items: rowsNormalized(leakedVectors.items))
        var targets = [[Int]](repeating: [], count: graph.userCount)
        for e in held { targets[Int(e.user)].append(Int(e.movie)) }
        let open = try EvaluationSet(itemCount: graph.movieCount, targets: targets,
                                     exclusions: [[Int]](repeating: [], count: graph.userCount))
        let honest = Evaluator(set: honestSet, k: k)
        let results: [(Step, EvaluationResult)] = [
            (.honest, honest.evaluate(trained)),
            (.leak, honest.evaluate(leaked)),
            (.cosine, honest.evaluate(cosine)),
            (.noExclusion, Evaluator(set: open, k: k).evaluate(cosine)),
        ]
        var outcomes = results.map { Outcome(step: $0.0, result: $0.1, mrr: $0.1.mrr, mrrUsers: $0.1.users) }
        let last = results[results.count - 1].1
        let hits = last.perUser.filter { $0.hitRate > 0 }
        outcomes.append(Outcome(step: .mrrHitsOnly, result: last,
                                mrr: hits.isEmpty ? 0 : hits.map(\.mrr).reduce(0, +) / Double(hits.count),
                                mrrUsers: hits.count))
        return outcomes
    }

    /// Each row divided by its Euclidean norm (a zero row stays zero).
    static func rowsNormalized(_ x: Matrix) -> Matrix {
        var out = x
        let cols = x.cols
        out.storage.withUnsafeMutableBufferPointer { p in
            for r in 0..<x.rows {
                var s: Float = 0
                for j in 0..<cols { s += p[r * cols + j] * p[r * cols + j] }
                guard s > 0 else { continue }
                let inverse = 1 / s.squareRoot()
                for j in 0..<cols { p[r * cols + j] *= inverse }
            }
        }
        return out
    }
}
