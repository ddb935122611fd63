import Foundation
import Tensors

/// A learned weight per movie and user feature added to every score of a
/// graph model (`feature-bias=on`), the "wide" term beside the GNN's "deep" one:
///
///     y_um = z_u . z_m + b_m + x_u . w_m
///
/// x_u is the user's wide feature row (`FeatureBias.wideFeatures`) and W
/// (movies x features) is learned with the rest: popularity per
/// demographic. A user without edges has little else to go by, and the
/// GNN's z_u, a small MLP of the same features, tends to fit the training
/// users' own tastes instead of this simple per-group popularity.
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

    /// The score's bias weights a GNN starts from on `graph`: one per movie
    /// (`bias=on`) and one per movie and user feature (`feature-bias=on`; none
    /// on data without user features), zero so training starts from the plain score.
    static func initial(_ options: TrainOptions, graph: InteractionGraph) -> (item: Matrix?, feature: Matrix?) {
        let wide = options.featureBias ? width(graph) : 0
        return (options.itemBias ? Matrix(rows: graph.movieCount, cols: 1) : nil,
                wide > 0 ? Matrix(rows: graph.movieCount, cols: wide) : nil)
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
        let continuous = (0..<x.cols).map { c in (0..<x.rows).contains { x[$0, c] != 0 && x[$0, c] != 1 } }
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
