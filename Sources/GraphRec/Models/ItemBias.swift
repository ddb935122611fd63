import Tensors

/// A learned bias per movie in a graph model's score (`bias=on`):
///
///     y_um = z_u . z_m + b_m
///
/// kept a dot product by appending a column of ones to the users and b to
/// the movies, so every scorer, the evaluator and LSH treat it as one more
/// embedding dimension. BPR learns b as a popularity prior; a user the model
/// knows little about (a new one, placed by features alone) then starts from
/// popularity and the features move the list from there.
public enum ItemBias {
    /// The parameter's name in saved weights (movies x 1).
    public static let name = "item.bias"

    /// `(users | 1, items | b)`, or the pair unchanged without a bias.
    public static func append(_ tape: Tape, _ bias: Variable?, users: Variable, items: Variable) -> (users: Variable, items: Variable) {
        guard let bias else { return (users, items) }
        let ones = tape.constant(Matrix(rows: tape.value(users).rows, cols: 1, repeating: 1))
        return (tape.concatColumns([users, ones]), tape.concatColumns([items, bias]))
    }
}
