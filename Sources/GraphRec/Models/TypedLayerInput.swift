import Tensors

/// Layer 1 of a feature-only GCN, split by node type so that it multiplies
/// no zeros.
///
/// The shared 42-dim input is block-shaped: a user row is `[x_u, 0]`, a movie
/// row `[0, x_m]`, and the mean over a user's neighbours (all movies) is
/// `[0, mean x_m]` (and the other way round for movies). So for each type,
/// `mean(h) W_1 + h B_1` only ever meets half of the rows of `[W_1; B_1]`:
/// with the non-zero columns gathered once per graph into a compact input
/// `[mean part | own part]`, each type is one product with the matching rows
/// of `[W_1; B_1]`, half the multiply-adds of the dense form, forward and
/// backward, and exactly the same result.
public struct TypedLayerInput: Sendable {
    /// One per node type: its rows of the node space, its compact input, and
    /// which rows of `[W_1; B_1]` (stacked, 2 x featureWidth) multiply it.
    public let blocks: [RowBlock]

    /// Blocks for the row ranges `types` (users, then movies) of the constant
    /// input `features` and its aggregate `mean`. Columns that are zero over a
    /// whole block are left out; the rest are kept in order.
    public init(features: Matrix, mean: Matrix, types: [Range<Int>]) {
        precondition(features.rows == mean.rows && features.cols == mean.cols, "features and mean differ in shape")
        let width = features.cols
        blocks = types.map { rows in
            let meanColumns = TypedLayerInput.nonZeroColumns(mean, rows)
            let ownColumns = TypedLayerInput.nonZeroColumns(features, rows)
            var input = Matrix(rows: rows.count, cols: meanColumns.count + ownColumns.count)
            for (i, r) in rows.enumerated() {
                for (k, c) in meanColumns.enumerated() { input[i, k] = mean[r, c] }
                for (k, c) in ownColumns.enumerated() { input[i, meanColumns.count + k] = features[r, c] }
            }
            let weightRows = meanColumns.map { Int32($0) } + ownColumns.map { Int32(width + $0) }
            return RowBlock(rows: rows, input: input, weightRows: weightRows)
        }
    }

    static func nonZeroColumns(_ m: Matrix, _ rows: Range<Int>) -> [Int] {
        (0..<m.cols).filter { c in rows.contains { m[$0, c] != 0 } }
    }

    /// mean(h) W + h B + bias for every node, block by block.
    public func forward(_ tape: Tape, weight w: Variable, root b: Variable, bias: Variable) -> Variable {
        tape.blockLinear(blocks, tape.concatRows([w, b]), bias: bias)
    }
}
