import Foundation
import Tensors

/// How one user's ranking was made. A model ranks a user it was trained on
/// as trained; a user without edges, or one whose vectors were never
/// trained (a new user, a user whose likes were edited under a model with
/// fixed user vectors), is scored by the method its kind declares in
/// `ModelCapabilities.coldUsers`, never by the tie rule of all-zero scores.
public enum ScoringMethod: String, Sendable, CaseIterable, Comparable {
    /// The model's own scoring of a user it was trained with.
    case trained
    /// The forward pass from the user's features alone (no edges to propagate).
    case features
    /// The forward pass over the user's likes in the graph (message passing).
    case graph
    /// Scores read from the user's liked movies directly (item-item weights).
    case likes
    /// A user vector solved in closed form from the likes against the fixed item factors.
    case solve
    /// The user's like row projected onto the item factors.
    case projection
    /// A few seeded gradient steps on a fresh user vector, everything else frozen.
    case foldIn = "fold-in"
    /// The most popular movies (train degree): the model has nothing to go on.
    case popularity

    public static func < (a: ScoringMethod, b: ScoringMethod) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// What the method means, for notes.
    public var explanation: String {
        switch self {
        case .trained: "as trained"
        case .features: "from the user's features alone (forward pass without edges)"
        case .graph: "by the forward pass over the user's likes"
        case .likes: "from the user's liked movies directly"
        case .solve: "by the closed-form user solve against the fixed item factors"
        case .projection: "by projecting the user's likes onto the item factors"
        case .foldIn: "by \(ColdStart.foldInSteps) seeded gradient steps (BPR) on a fresh user vector, the rest of the model frozen"
        case .popularity: "by popularity (train degree): the model has nothing to score this user with"
        }
    }
}

/// Scores users the way their model's kind declares for users it cannot
/// rank as trained (see `ScoringMethod`).
public enum ColdStart {
    /// Gradient steps of a fold-in: enough for a d <= 128 vector to settle on a few likes.
    public static let foldInSteps = 60
    static let foldInRate: Float = 0.05
    static let foldInNegatives = 10
    static let foldInL2: Float = 1e-3

    /// The kind's declaration for `recommender`, with what its options decide
    /// at run time: a GNN trained without user features has nothing but
    /// popularity for a user without edges.
    public static func coldUsers(of recommender: any Recommender, graph: InteractionGraph) -> ModelCapabilities.ColdUsers {
        guard let kind = try? ModelRegistry.kind(recommender.kind) else { return .init(noEdges: .popularity, fewLikes: .popularity) }
        var declared = kind.capabilities.coldUsers
        if declared.noEdges == .features {
            let readsUserFeatures = (recommender as? any NodeInputModel)?.input.useFeatures == true && graph.userFeatures != nil
            if !readsUserFeatures { declared.noEdges = .popularity }
        }
        return declared
    }

    /// How `user` of `graph` is scored; `refitting` are users whose vectors
    /// are fitted afresh from their edges (new ones, edited ones under a
    /// model with fixed user vectors).
    public static func method(user: Int, graph: InteractionGraph, declared: ModelCapabilities.ColdUsers,
                              refitting: Set<Int>) -> ScoringMethod {
        method(degree: graph.degree(user: user), declared: declared, refitted: refitting.contains(user))
    }

    /// How a user with `degree` edges is scored, refitted or not.
    public static func method(degree: Int, declared: ModelCapabilities.ColdUsers, refitted: Bool) -> ScoringMethod {
        if degree == 0 { return declared.noEdges }
        if refitted { return declared.fewLikes }
        return declared.noEdges == .popularity && declared.fewLikes == .popularity ? .popularity : .trained
    }

    /// How many of `users` each method scores.
    public static func methodCounts(_ recommender: any Recommender, graph: InteractionGraph, users: [Int],
                                    refitting: Set<Int> = []) -> [(method: ScoringMethod, users: Int)] {
        let declared = coldUsers(of: recommender, graph: graph)
        var counts: [ScoringMethod: Int] = [:]
        for u in users { counts[method(user: u, graph: graph, declared: declared, refitting: refitting), default: 0] += 1 }
        return counts.keys.sorted().map { ($0, counts[$0]!) }
    }

    /// Users of `graph` without edges.
    public static func usersWithoutEdges(_ graph: InteractionGraph, among users: [Int]) -> Int {
        users.reduce(0) { $0 + (graph.degree(user: $1) == 0 ? 1 : 0) }
    }

    /// The scorer of `recommender` on `graph` in which every user is scored
    /// by their method: `base` (the model's scorer on `graph`, computed when
    /// nil) for users it ranks itself, fold-in rows for refitted users of a
    /// dot-product model, popularity for the rest.
    public static func scorer(_ recommender: any Recommender, graph: InteractionGraph, refitting: Set<Int> = [],
                              base: (any Scorer)? = nil, seed: UInt64 = 0) -> any Scorer {
        let declared = coldUsers(of: recommender, graph: graph)
        var scorer: any Scorer
        if let base {
            scorer = base
        } else if !refitting.isEmpty, let foldIn = recommender as? any FoldingInRecommender {
            scorer = foldIn.scorer(graph, refitting: refitting)
        } else {
            scorer = recommender.scorer(graph)
        }
        var fallback: [Int] = []
        var folded: [Int] = []
        for u in 0..<graph.userCount {
            switch method(user: u, graph: graph, declared: declared, refitting: refitting) {
            case .popularity where recommender.kind != Popularity.name: fallback.append(u)
            case .foldIn: folded.append(u)
            default: break
            }
        }
        if !folded.isEmpty, var e = scorer as? Embeddings {
            for u in folded {
                let likes = graph.movies(ofUser: u).map(Int.init)
                e.users.setRow(u, foldIn(items: e.items, likes: likes, seed: seed, user: u))
            }
            scorer = e
        }
        if fallback.isEmpty { return scorer }
        let popularity = (0..<graph.movieCount).map { Float(graph.degree(movie: $0)) }
        return PopularityFallback(base: scorer, users: Set(fallback), popularity: popularity)
    }

    /// The dot-product embeddings under `scorer` (those of its base when some
    /// users fall back to popularity); nil for a model that is not a dot product.
    public static func embeddings(of scorer: any Scorer) -> Embeddings? {
        (scorer as? Embeddings) ?? ((scorer as? PopularityFallback)?.base as? Embeddings)
    }

    /// The user vector that ranks `likes` above sampled other movies (BPR),
    /// from zero, by Adam on the frozen `items`: the MF/LightGCN fold-in.
    public static func foldIn(items: Matrix, likes: [Int], seed: UInt64, user: Int) -> [Float] {
        let d = items.cols, n = items.rows
        var v = [Float](repeating: 0, count: d)
        guard !likes.isEmpty, likes.count < n else { return v }
        let liked = Set(likes)
        var rng = SeededGenerator(seed: seed, stream: "coldstart.foldin.\(user)")
        var m = [Float](repeating: 0, count: d), s = [Float](repeating: 0, count: d)
        var grad = [Float](repeating: 0, count: d)
        let q = items.storage
        let pairs = Float(likes.count * foldInNegatives)
        for step in 1...foldInSteps {
            for c in 0..<d { grad[c] = foldInL2 * v[c] }
            for i in likes {
                for _ in 0..<foldInNegatives {
                    var j = Int.random(in: 0..<n, using: &rng)
                    while liked.contains(j) { j = Int.random(in: 0..<n, using: &rng) }
                    var x: Float = 0
                    for c in 0..<d { x += v[c] * (q[i * d + c] - q[j * d + c]) }
                    // d/dv -ln sigmoid(x) = -(1 - sigmoid(x)) (q_i - q_j)
                    let g = -1 / (1 + expf(x)) / pairs
                    for c in 0..<d { grad[c] += g * (q[i * d + c] - q[j * d + c]) }
                }
            }
            let b1: Float = 0.9, b2: Float = 0.999
            let c1 = 1 - powf(b1, Float(step)), c2 = 1 - powf(b2, Float(step))
            for c in 0..<d {
                m[c] = b1 * m[c] + (1 - b1) * grad[c]
                s[c] = b2 * s[c] + (1 - b2) * grad[c] * grad[c]
                v[c] -= foldInRate * (m[c] / c1) / ((s[c] / c2).squareRoot() + 1e-8)
            }
        }
        return v
    }
}

/// A model's scorer with some users ranked by popularity instead: the users
/// the model declares it cannot score (no edges and nothing else to go on).
public struct PopularityFallback: Scorer {
    public let base: any Scorer
    public let users: Set<Int>
    /// Each movie's train degree.
    public let popularity: [Float]

    public var userCount: Int { base.userCount }
    public var itemCount: Int { base.itemCount }
    public var movieVectors: (vectors: Matrix, source: String) { base.movieVectors }

    public func scores(users rows: ArraySlice<Int>, into out: inout Matrix) {
        base.scores(users: rows, into: &out)
        let n = itemCount
        for (r, u) in rows.enumerated() where users.contains(u) {
            for m in 0..<n { out.storage[r * n + m] = popularity[m] }
        }
    }
}

/// A model whose input layer is a `NodeInput` (the feature GNNs): whether it reads user features.
public protocol NodeInputModel {
    var input: NodeInput { get }
}

extension GCN: NodeInputModel {}
extension GAT: NodeInputModel {}
