/// Column blocks of a row-major matrix: one attention head's slice of a
/// multi-head activation (heads sit side by side in the columns).
extension Matrix {
    /// Columns start..<start+width as a new matrix.
    func columnBlock(_ start: Int, _ width: Int) -> Matrix {
        var out = Matrix(rows: rows, cols: width)
        for r in 0..<rows {
            for j in 0..<width { out.storage[r &* width &+ j] = storage[r &* cols &+ start &+ j] }
        }
        return out
    }

    /// Writes `block` into columns start..<start+block.cols.
    mutating func setColumnBlock(_ start: Int, _ block: Matrix) {
        precondition(block.rows == rows && start + block.cols <= cols, "setColumnBlock shape")
        let w = block.cols
        for r in 0..<rows {
            for j in 0..<w { storage[r &* cols &+ start &+ j] = block.storage[r &* w &+ j] }
        }
    }
}

