import Tensors

/// Leave-one-out deltas of a 1- or 2-layer GCN without a forward pass per like.
///
/// Removing the like (u, j) changes the mean aggregation of u (one neighbour
/// fewer) and of j; nothing else. For a movie m that u does not like, z_m
/// depends on m's users' layer-1 states, which aggregate their own movies
/// (never the edge (u, j)), so z_m is unchanged. z_u without j is, with
/// n likes L, h(0) rows x, and the full graph's h(1) of the likes,
///
///     z1_u(-j) = mean_{l in L, l != j} x_l W_1 + x_u B_1 + b_1
///     z2_u(-j) = mean_{l in L, l != j} h1_l W_2 + relu(z1_u(-j)) B_2 + b_2
///
/// (h1_l of a like l != j does not change: l's users are unchanged). Each
/// mean is (sum - row j) / (n - 1), so all n variants are a few n-row GEMMs,
/// and the deltas (z_u - z_u(-j)) . z_m are one GEMM; the item and feature biases cancel.
extension GCN: LeaveOneOutShortcut {
    public func leaveOneOut(user u: Int, likes: [Int], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        guard layers <= 2, u < graph.userCount, LeaveOneOut.graphShortcutApplies(likes: likes, movies: movies) else { return nil }
        let tape = Tape()
        let states = layerStates(tape, makeContext(graph), weights: weights.bind { tape.constant($1) }).map { tape.value($0) }
        let likeRows = likes.map { graph.userCount + $0 }
        let first = weights.layers[0]
        let own = BLAS.matmul(states[0].gatherRows([u]), first.root).storage
        let root1 = zip(own, first.bias.storage).map { $0 + $1 }
        let mean1 = LeaveOneOut.meansWithoutEachRow(BLAS.matmul(states[0].gatherRows(likeRows), first.weight))
        var without = LeaveOneOut.addingRow(mean1, root1)                     // z1_u(-j), row j
        if layers == 2 {
            let second = weights.layers[1]
            let mean2 = BLAS.matmul(LeaveOneOut.meansWithoutEachRow(states[1].gatherRows(likeRows)), second.weight)
            without = LeaveOneOut.addingRow(mean2 + BLAS.matmul(without.relu(), second.root), second.bias.storage)
        }
        let output = states[layers]
        let zu = output.row(u)
        let items = output.gatherRows(movies.map { graph.userCount + $0 })
        let wide = weights.featureBias == nil ? nil : FeatureBias.wideFeatures(graph)?.row(u)
        return (LeaveOneOut.scores(items: items, user: zu, itemBias: weights.itemBias, movies: movies,
                                   featureBias: weights.featureBias, wide: wide),
                LeaveOneOut.deltas(items: items, user: zu, without: without))
    }
}
