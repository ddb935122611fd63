import Foundation
import Tensors

/// A weight per movie and user feature added to every score of a graph
/// model (`feature-bias=on|prior|fixed`), the "wide" term beside the GNN's
/// "deep" one:
///
///     y_um = z_u . z_m + b_m + x_u . w_m
///
/// x_u is the user's wide feature row (`FeatureBias.wideFeatures`) and W
/// (movies x features) is popularity per demographic: learned with the rest
/// from zero, or from its fit to the train likes (`prior`), or kept there. A
/// user without edges has little else to go by, and the GNN's z_u, a small
/// MLP of the same features, tends to fit the training users' own tastes
/// instead of this simple per-group popularity.
/// Kept a dot product, as `ItemBias` is, by appending x_u to the users and
/// w_m to the movies, so every scorer, the evaluator and LSH see one wider
/// embedding. Needs user features: on data without them (ml-latest) the
/// model has no W and the option reads as off (`TrainOptions.featureBias`
/// in the model's effective options).
public enum FeatureBias {
    /// The parameter's name in saved weights (movies x wide features).
    public static let name = "item.feature-bias"

    /// Bumps a continuous feature is spread over (`wideFeatures`).
    static let bumps = 8

    /// Where the feature bias starts (`feature-bias=`).
    ///
    /// - off: no feature bias.
    /// - on: W = 0, so training starts from the plain score.
    /// - prior: W (and b with `bias=on`) at demographic popularity fitted
    ///   to the train likes (`prior`): a new user is ranked by what users
    ///   like them liked before the first step, and training moves it from there.
    /// - fixed: the same fit, never trained (`frozen`): the GNN
    ///   learns what the prior leaves. On ML-100K cold users, training W
    ///   and b from the prior lost most of what the prior alone gained.
    public enum Start: String, Sendable, CaseIterable {
        case off, on, prior, fixed
    }

    /// The weights `options` keep at their start while the rest trains.
    static func frozen(_ options: TrainOptions) -> Set<String> {
        options.featureBias == .fixed ? [name, ItemBias.name] : []
    }

    /// The score's bias weights a GNN starts from on `graph`: one per movie
    /// (`bias=on`) and one per movie and user feature (`feature-bias=on|prior|fixed`;
    /// none on data without user features), zero, or the fit of `prior`.
    static func initial(_ options: TrainOptions, graph: InteractionGraph) -> (item: Matrix?, feature: Matrix?) {
        let wide = options.featureBias != .off ? width(graph) : 0
        var item = options.itemBias ? Matrix(rows: graph.movieCount, cols: 1) : nil
        var feature = wide > 0 ? Matrix(rows: graph.movieCount, cols: wide) : nil
        if options.featureBias == .prior || options.featureBias == .fixed, wide > 0, let start = prior(graph) {
            if item != nil { item = start.item }
            feature = start.feature
        }
        return (item, feature)
    }

    /// Pseudo-likes each feature's counts are smoothed with, spread over the movies by popularity (`naiveBayes`).
    static let priorPseudoLikes: Float = 10
    /// Training users at which a 0/1 column's weights count half (`naiveBayes`).
    static let priorHalfUsers: Float = 200

    /// L2 on W, per training like, in `prior`'s fit.
    static let priorL2: Float = 0.0015
    /// Full-batch Adam steps, and their size, of `prior`'s fit from the naive-Bayes start.
    static let priorSteps = 100
    static let priorStepSize: Float = 0.05
    /// Floats of one users x movies block of the fit (64 MB), so memory stays flat at any size.
    static let priorBlock = 16 << 20
    /// Users x movies above which the fit (`priorSteps` passes over every
    /// pair) would take minutes: the naive-Bayes form is kept instead
    /// (ML-1M, 22.4M pairs, fits in seconds; synthetic-10m's 700M do not).
    static let priorFitLimit = 50_000_000

    /// Demographic popularity, the start of `feature-bias=prior|fixed` on the
    /// train likes of `graph`: a multinomial logistic model of which movie a
    /// user with wide row x likes,
    ///
    ///     p(m | x) = softmax_m(b_m + x . w_m),
    ///
    /// fitted to the training users' likes (mean log-likelihood per like,
    /// L2 `priorL2` on W, b free) by `priorSteps` full-batch Adam steps from
    /// the naive-Bayes form (`naiveBayes`). Naive Bayes counts each feature
    /// as if the others were unknown, so age and the occupations that go
    /// with it count twice (it needs ad hoc shrinkage); the fit weighs them
    /// jointly. No randomness: the same graph gives the same prior.
    /// Measured outside recsh on the validation users of `split cold`
    /// seed 0: NDCG@10 0.5414 against naive Bayes' 0.5388 and popularity's
    /// 0.5007 (seeds 1-4: mean 0.4841 against 0.4817 and 0.4526).
    /// Above `priorFitLimit` users x movies it is the naive-Bayes form.
    /// Nil without user features; on a graph without edges b is uniform and W is 0.
    static func prior(_ graph: InteractionGraph, block: Int = priorBlock) -> (item: Matrix, feature: Matrix)? {
        guard var start = naiveBayes(graph), let wide = wideFeatures(graph) else { return nil }
        let active = (0..<graph.userCount).filter { graph.degree(user: $0) > 0 }
        guard !active.isEmpty, active.count * graph.movieCount <= priorFitLimit else { return start }
        let movies = graph.movieCount
        let count = active.map { Float(graph.degree(user: $0)) }
        let perLike = 1 / count.reduce(0, +)
        let share = count.map { $0 * perLike }     // each user's share of the likes
        // Users a step scores at once: a users x movies block of at most `priorBlock` floats.
        let users = max(1, block / movies)
        let chunks = stride(from: 0, to: active.count, by: users).map { $0..<min($0 + users, active.count) }
        let x = chunks.map { wide.gatherRows(Array(active[$0])) }
        var parameters = ["b": start.item, "w": start.feature]
        var adam = Adam(learningRate: priorStepSize)
        for _ in 0..<priorSteps {
            var gw = Matrix(rows: movies, cols: wide.cols)
            var gb = Matrix(rows: 1, cols: movies)
            for (c, users) in chunks.enumerated() {
                // G = (n_u softmax(L_u) - likes_u) / likes, the gradient of the mean negative log-likelihood in L.
                var g = BLAS.matmul(x[c], parameters["w"]!, transposeB: true)
                g.addRowBroadcast(parameters["b"]!.reshaped(rows: 1, cols: movies))
                g.softmaxRows(scaledBy: Array(share[users]))
                for (row, i) in users.enumerated() {
                    for m in graph.movies(ofUser: active[i]) { g[row, Int(m)] -= perLike }
                }
                gw.add(BLAS.matmul(g, transposeA: true, x[c]))
                gb.add(g.columnSums())
            }
            gw.addScaled(parameters["w"]!, priorL2)
            adam.step(&parameters, gradients: ["b": gb.reshaped(rows: movies, cols: 1), "w": gw])
        }
        start.item = parameters["b"]!
        start.feature = parameters["w"]!
        return start
    }

    /// Demographic popularity as a naive-Bayes log-linear score on the train
    /// likes of `graph`, where `prior`'s fit starts:
    ///
    ///     b_m  = log p(m)                      (smoothed: (likes_m + 1) / (likes + movies))
    ///     W_mf = s_f (log p(m | f) - log p(m)),  p(m | f) = (C_mf + a p(m)) / (C_f + a)
    ///
    /// with C_mf the likes of movie m weighted by the users' wide column f
    /// and a = `priorPseudoLikes`. The scale s_f keeps the features from
    /// being counted twice: a continuous feature's bumps share one weight
    /// (s = 1 / the mean of a user's bump sum), and a 0/1 column with n
    /// training users counts n / (n + `priorHalfUsers`), so a small category
    /// (a rare occupation, often also a narrow age band) moves the list little.
    /// Measured outside recsh on ML-100K cold users (20 user draws): log
    /// popularity plus this form beat popularity by 6.3% NDCG@10; with
    /// every 0/1 column at full weight it lost 0.8%.
    /// Nil without user features; on a graph without edges b is uniform and W is 0.
    static func naiveBayes(_ graph: InteractionGraph) -> (item: Matrix, feature: Matrix)? {
        guard let x = graph.userFeatures, let wide = wideFeatures(graph) else { return nil }
        let movies = graph.movieCount, f = wide.cols
        // C (movies x features): each movie's likes weighted by its users' wide rows, one sparse product.
        let counts = graph.userItems.transposeTimes(wide)
        let likes = (0..<movies).map { Float(graph.degree(movie: $0)) }
        let total = likes.reduce(0, +)
        let logP = likes.map { log(($0 + 1) / (total + Float(movies))) }
        // Each wide column's scale, from the users with likes.
        let active = (0..<graph.userCount).filter { graph.degree(user: $0) > 0 }
        var scale = [Float](repeating: 0, count: f)
        var column = 0
        for isContinuous in continuousColumns(x) {
            if isContinuous {
                let rowSums = active.map { u in (column..<(column + bumps)).reduce(Float(0)) { $0 + wide[u, $1] } }
                let mean = rowSums.reduce(0, +) / Float(max(rowSums.count, 1))
                for b in column..<(column + bumps) { scale[b] = mean > 0 ? 1 / mean : 0 }
                column += bumps
            } else {
                let n = active.reduce(Float(0)) { $0 + wide[$1, column] }
                scale[column] = n / (n + priorHalfUsers)
                column += 1
            }
        }
        var w = Matrix(rows: movies, cols: f)
        for c in 0..<f {
            let columnTotal = (0..<movies).reduce(Float(0)) { $0 + counts[$1, c] }
            for m in 0..<movies {
                let p = exp(logP[m])
                let given = (counts[m, c] + priorPseudoLikes * p) / (columnTotal + priorPseudoLikes)
                w[m, c] = scale[c] * (log(given) - logP[m])
            }
        }
        return (Matrix(rows: movies, cols: 1, storage: logP), w)
    }

    /// Width of the wide rows for `graph`, 0 without user features.
    public static func width(_ graph: InteractionGraph) -> Int {
        wideFeatures(graph).map(\.cols) ?? 0
    }

    /// Each user's wide feature row: a 0/1 column (gender, occupation) as it
    /// is; a continuous column in [0, 1] (ML-100K's age / max age) as
    /// `bumps` Gaussian bumps, exp(-(v - c)^2 / (2 s^2)) at centres c spread
    /// over [0, 1] with s the spacing, so the weight a movie gets can rise and
    /// fall with age (a linear term in age cannot favour the middle-aged).
    /// Which columns are continuous is read from the whole table, so a new
    /// user's row is widened exactly as the training users' rows were.
    /// Nil without user features.
    public static func wideFeatures(_ graph: InteractionGraph) -> Matrix? {
        guard let x = graph.userFeatures, x.cols > 0 else { return nil }
        let continuous = continuousColumns(x)
        let spacing = 1 / Float(bumps - 1)
        let width = continuous.reduce(0) { $0 + ($1 ? bumps : 1) }
        var wide = Matrix(rows: x.rows, cols: width)
        for u in 0..<x.rows {
            var out = 0
            for c in 0..<x.cols {
                let v = x[u, c]
                if continuous[c] {
                    for b in 0..<bumps {
                        let d = (v - Float(b) * spacing) / spacing
                        wide[u, out + b] = exp(-0.5 * d * d)
                    }
                    out += bumps
                } else {
                    wide[u, out] = v
                    out += 1
                }
            }
        }
        return wide
    }

    /// Per user feature column, whether it holds a value other than 0 and 1 (and is spread over bumps).
    static func continuousColumns(_ x: Matrix) -> [Bool] {
        (0..<x.cols).map { c in (0..<x.rows).contains { x[$0, c] != 0 && x[$0, c] != 1 } }
    }

    /// `(users | x, items | W)`, or the pair unchanged without a W. Users
    /// beyond `features`' rows, or every user when the widths disagree,
    /// get a zero row: no demographic term, never a wrong one.
    public static func append(_ tape: Tape, _ weight: Variable?, features: Matrix?,
                              users: Variable, items: Variable) -> (users: Variable, items: Variable) {
        guard let weight else { return (users, items) }
        let rows = tape.value(users).rows, cols = tape.value(weight).cols
        var x = Matrix(rows: rows, cols: cols)
        if let features, features.cols == cols {
            for u in 0..<min(rows, features.rows) { for c in 0..<cols { x[u, c] = features[u, c] } }
        }
        return (tape.concatColumns([users, tape.constant(x)]), tape.concatColumns([items, weight]))
    }
}
