import Tensors

/// A what-if edit through the GCN's receptive field (`ReceptiveField`):
/// mean aggregation, so only the endpoints' rows of the operator change; the
/// user's layer-0 state changes too when the edit takes its edges to none or
/// from none (its ID row is zeroed without edges, `NodeInput.coldUserMask`).
extension GCN: ReceptiveFieldModel {
    public func layerStates(on graph: InteractionGraph) -> [Matrix] {
        let tape = Tape()
        return layerStates(tape, makeContext(graph), weights: weights.bind { tape.constant($1) }).map { tape.value($0) }
    }

    public func outputRows(_ states: [Matrix], nodes: [Int], userCount: Int) -> Matrix {
        var z = states[states.count - 1].gatherRows(nodes)
        if combine == .mean {
            // The mean of the ID part of h(0) (its last columns) and h(1) ... h(L), as `combined`.
            let h0 = states[0]
            let ids = input.useIDs ? [h0.gatherRows(nodes).columns((h0.cols - input.idWidth)..<h0.cols)] : []
            let terms = ids + states.dropFirst().map { $0.gatherRows(nodes) }
            z = terms.dropFirst().reduce(terms[0]) { $0 + $1 }
            z.scale(by: 1 / Float(terms.count))
        }
        z = scored(z)
        guard let bias = weights.itemBias else { return z }
        let column = Matrix(rows: nodes.count, cols: 1, storage: nodes.map { $0 < userCount ? 1 : bias[$0 - userCount, 0] })
        return z.hstack(column)
    }

    public func editedStates(_ before: [Matrix], edit: UserEdit, targets: [Int]) -> ([Matrix], ReceptiveField) {
        let u = edit.user
        let coldToggles = input.useIDs && (edit.graph.degree(user: u) == 0) != edit.movies.isEmpty
        let inputs = coldToggles ? [u] : []
        let field = ReceptiveField(edit: edit, layers: layers, inputs: inputs, operatorRows: edit.endpoints, targets: targets)
        let states = field.propagate(before, inputs: inputs, input: { rows in
            // Features unchanged; the ID part is the user's row, or zeros without edges.
            var h = before[0].gatherRows(rows)
            let idStart = h.cols - input.idWidth
            for (r, v) in rows.enumerated() {
                for c in 0..<input.idWidth {
                    let id = edit.movies.isEmpty ? 0 : (weights.ids.map { v < $0.users.rows ? $0.users[v, c] : 0 } ?? 0)
                    h[r, idStart + c] = id
                }
            }
            return h
        }, layer: { k, rows, previous in
            // z = mean_{w in N(v)} h_w W_k + h_v B_k + b_k, the activation below the last layer.
            let layer = weights.layers[k - 1]
            var z = BLAS.matmul(edit.aggregate(rows: rows, symmetric: false, previous), layer.weight)
            z.add(BLAS.matmul(previous.gatherRows(rows), layer.root))
            z.addRowBroadcast(layer.bias)
            return k < layers && activation == .relu ? z.relu() : z
        })
        return (states, field)
    }
}
