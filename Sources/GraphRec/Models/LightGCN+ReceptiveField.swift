import Tensors

/// A what-if edit through LightGCN's receptive field (`ReceptiveField`): the
/// propagation D^-1/2 A D^-1/2 weighs each edge by both ends' degrees, so the
/// rows that change at once are the endpoints' and their neighbours'; the
/// final vector averages every layer, so each layer's states are kept.
extension LightGCN: ReceptiveFieldModel {
    public func layerStates(on graph: InteractionGraph) -> [Matrix] {
        let tape = Tape()
        let propagation = makeContext(graph).propagation
        var e = tape.value(input.idEmbeddings(tape, weights.bind { tape.constant($1) }, userCount: graph.userCount))
        var states = [e]
        for _ in 0..<layers {
            e = propagation.times(e)
            states.append(e)
        }
        return states
    }

    public func outputRows(_ states: [Matrix], nodes: [Int], userCount: Int) -> Matrix {
        var total = states[0].gatherRows(nodes)
        for e in states.dropFirst() { total.add(e.gatherRows(nodes)) }
        total.scale(by: 1 / Float(layers + 1))
        return total
    }

    public func editedStates(_ before: [Matrix], edit: UserEdit, targets: [Int]) -> ([Matrix], ReceptiveField) {
        // The endpoints' neighbours before the edit are their neighbours after plus other endpoints.
        var rows = Set(edit.endpoints)
        for v in edit.endpoints { edit.forEachNeighbor(v) { rows.insert($0) } }
        let field = ReceptiveField(edit: edit, layers: layers, inputs: [], operatorRows: rows.sorted(), targets: targets)
        let states = field.propagate(before, inputs: [], input: { _ in Matrix(rows: 0, cols: 0) }, layer: { _, rows, previous in
            edit.aggregate(rows: rows, symmetric: true, previous)
        })
        return (states, field)
    }
}
