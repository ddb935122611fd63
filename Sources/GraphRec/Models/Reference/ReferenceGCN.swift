import Tensors

/// The GCN of `GCN` written the plain way, to read and to check the fast
/// path against (the tests compare the two on small graphs):
///
///     A      = D^-1 Adj                      row-normalised adjacency: row v averages over N(v)
///     H(0)   = [X | E]                       node features, then ID embeddings when the model has them
///     H(k+1) = act(A H(k) W_k + H(k) B_k + b_k)   act = ReLU (or none) between layers, none after the last
///     Z      = H(L), or with combine=mean (E + H(1) + ... + H(L)) / (L + 1), E the ID embeddings
///     score(u, m) = Z[u] . Z[m], or with score=cosine cos(Z[u], Z[m]) / temperature
///
/// `GCN.forward` computes the same numbers with sparse products, one fused
/// op per layer that aggregates on the narrower side (`mean(h) W = mean(h W)`)
/// and a per-type first layer that multiplies no zeros. This one holds the
/// dense N x N adjacency: small graphs only.
public enum ReferenceGCN {
    /// Z: users' rows first, then movies'.
    public static func embed(_ model: GCN, _ graph: InteractionGraph) -> Matrix {
        let a = SparseOperator.rowNormalized(graph.adjacency()).matrix.dense()
        var h = ReferenceInput.initial(features: model.input.features(of: graph), ids: model.weights.ids,
                                       nodes: graph.nodeCount)
        var terms = model.weights.ids.map { [$0.users.vstack($0.movies)] } ?? []
        for (k, layer) in model.weights.layers.enumerated() {
            var z = BLAS.matmul(BLAS.matmul(a, h), layer.weight) + BLAS.matmul(h, layer.root)
            z.addRowBroadcast(layer.bias)
            h = k + 1 < model.layers && model.activation == .relu ? z.relu() : z
            terms.append(h)
        }
        var z = h
        if model.combine == .mean {
            z = terms.dropFirst().reduce(terms[0], +)
            z.scale(by: 1 / Float(terms.count))
        }
        guard let s = model.rowScale else { return z }
        for i in 0..<z.rows {
            let norm = max((0..<z.cols).reduce(Float(0)) { $0 + z[i, $1] * z[i, $1] }.squareRoot(), 1e-8)
            for j in 0..<z.cols { z[i, j] *= s / norm }
        }
        return z
    }
}

/// H(0) of the reference models: the feature rows, then the ID embedding rows (users, then movies) beside them.
enum ReferenceInput {
    static func initial(features: Matrix?, ids: IDTables<Matrix>?, nodes: Int) -> Matrix {
        let x = features ?? Matrix(rows: nodes, cols: 0)
        guard let ids else { return x }
        let e = ids.users.vstack(ids.movies)
        return x.cols == 0 ? e : x.hstack(e)
    }
}
