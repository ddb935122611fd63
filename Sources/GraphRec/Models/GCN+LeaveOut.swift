import Tensors

/// Leave-out deltas of a 1- or 2-layer GCN (ReLU, dot scores from the last layer) without a forward pass per group.
///
/// Removing the likes S of u changes the mean aggregation of u (|S|
/// neighbours fewer) and of each j in S; nothing else. For a movie m that u
/// does not like, z_m depends on m's users' layer-1 states, which aggregate
/// their own movies (never an edge (u, j)), so z_m is unchanged. z_u without
/// S is, with n likes L, h(0) rows x, and the full graph's h(1) of the likes,
///
///     z1_u(-S) = mean_{l in L \ S} x_l W_1 + x_u B_1 + b_1
///     z2_u(-S) = mean_{l in L \ S} h1_l W_2 + relu(z1_u(-S)) B_2 + b_2
///
/// (h1_l of a like l outside S does not change: l's users are unchanged).
/// Each mean is (sum - sum over S) / (n - |S|), so all groups are a few
/// GEMMs, and the deltas (z_u - z_u(-S)) . z_m are one GEMM; the item and feature biases cancel.
extension GCN: LeaveOutShortcut {
    public func leaveOut(user u: Int, likes: [Int], groups: [[Int]], movies: [Int], graph: InteractionGraph) -> (scores: [Float], deltas: Matrix)? {
        guard layers <= 2, combine == .last, activation == .relu, rowScale == nil, u < graph.userCount, LeaveOut.graphShortcutApplies(likes: likes, groups: groups, movies: movies) else { return nil }
        let tape = Tape()
        let states = layerStates(tape, makeContext(graph), weights: weights.bind { tape.constant($1) }).map { tape.value($0) }
        let likeRows = likes.map { graph.userCount + $0 }
        let first = weights.layers[0]
        let own = BLAS.matmul(states[0].gatherRows([u]), first.root).storage
        let root1 = zip(own, first.bias.storage).map { $0 + $1 }
        let mean1 = LeaveOut.meansWithout(BLAS.matmul(states[0].gatherRows(likeRows), first.weight), groups: groups)
        var without = LeaveOut.addingRow(mean1, root1)                        // z1_u(-S), row per group
        if layers == 2 {
            let second = weights.layers[1]
            let mean2 = BLAS.matmul(LeaveOut.meansWithout(states[1].gatherRows(likeRows), groups: groups), second.weight)
            without = LeaveOut.addingRow(mean2 + BLAS.matmul(without.relu(), second.root), second.bias.storage)
        }
        let output = states[layers]
        return LeaveOut.answer(output: output, user: u, movies: movies, graph: graph, itemBias: weights.itemBias,
                               featureBias: weights.featureBias, without: without)
    }
}
