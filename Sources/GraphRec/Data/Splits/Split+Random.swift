import Foundation
import Tensors

/// The seeded random splits: `warm` cuts each user's positives, `cold` cuts
/// the set of users.
///
/// Both shuffle with `SeededGenerator` (its own Fisher-Yates, never the
/// standard library's), on a sub-stream named after the split kind, over
/// input put in a canonical order first (edges sorted by user then movie),
/// so the same positives and seed give the same split on every machine
/// whatever order the ratings file had. Every part comes back sorted.
extension Split {
    /// Each user's positives shuffled and cut by `ratios` (train/val/test
    /// percentages, or train/test when two are given; they must sum to 100).
    ///
    /// Rounding, for a user with n positives: the test count is
    /// `round(n * test / 100)` and the validation count `round(n * val / 100)`
    /// (halves round up), each raised to at least 1 when its ratio is
    /// non-zero, and train keeps the rest. Users with fewer than 3 positives
    /// keep them all in train: holding out one of two would leave them a
    /// single train edge and make their test result noise. When the rounding
    /// would leave no train edge (tiny train ratios), validation and then
    /// test give one back, so every user with positives stays in the graph.
    public static func warm(positives: [Edge], ratios: [Int] = [80, 10, 10], seed: UInt64) throws -> Split {
        let (trainRatio, valRatio, testRatio) = try checkRatios(ratios)
        var rng = SeededGenerator(seed: seed, stream: "split.warm")
        var train: [Edge] = [], validation: [Edge] = [], test: [Edge] = []
        for var edges in edgesByUser(positives) {
            rng.shuffle(&edges)
            let (nVal, nTest) = holdOut(count: edges.count, val: valRatio, test: testRatio, train: trainRatio)
            test += edges[0..<nTest]
            validation += edges[nTest..<(nTest + nVal)]
            train += edges[(nTest + nVal)...]
        }
        return Split(kind: .warm, ratios: ratios, seed: seed,
                     train: train.sorted(), validation: validation.sorted(), test: test.sorted())
    }

    /// The users (those with at least one positive) shuffled and cut by
    /// `ratios`; every positive of a validation or test user goes to that
    /// part, so those users have no edge in the graph the models train on.
    ///
    /// Rounding, for U users: `round(U * test / 100)` test users and
    /// `round(U * val / 100)` validation users (halves up), train the rest.
    public static func cold(positives: [Edge], ratios: [Int] = [80, 10, 10], seed: UInt64) throws -> Split {
        let (_, valRatio, testRatio) = try checkRatios(ratios)
        let groups = edgesByUser(positives)
        var order = Array(groups.indices)
        var rng = SeededGenerator(seed: seed, stream: "split.cold")
        rng.shuffle(&order)
        let nTest = roundedShare(order.count, testRatio)
        let nVal = min(roundedShare(order.count, valRatio), order.count - nTest)
        var train: [Edge] = [], validation: [Edge] = [], test: [Edge] = []
        for (position, g) in order.enumerated() {
            if position < nTest { test += groups[g] }
            else if position < nTest + nVal { validation += groups[g] }
            else { train += groups[g] }
        }
        return Split(kind: .cold, ratios: ratios, seed: seed,
                     train: train.sorted(), validation: validation.sorted(), test: test.sorted())
    }

    /// Positives grouped by user (ascending), each group sorted by movie and
    /// without duplicates.
    static func edgesByUser(_ positives: [Edge]) -> [[Edge]] {
        let sorted = positives.sorted()
        var groups: [[Edge]] = []
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count && sorted[end].user == sorted[start].user { end += 1 }
            var group: [Edge] = [sorted[start]]
            group.reserveCapacity(end - start)
            for k in (start + 1)..<end where sorted[k] != sorted[k - 1] { group.append(sorted[k]) }
            groups.append(group)
            start = end
        }
        return groups
    }

    /// `round(n * percent / 100)` with halves rounded up, in integers.
    static func roundedShare(_ n: Int, _ percent: Int) -> Int { (n * percent * 2 + 100) / 200 }

    /// How many of a user's n positives go to validation and test.
    static func holdOut(count n: Int, val: Int, test: Int, train: Int) -> (val: Int, test: Int) {
        guard n >= 3 else { return (0, 0) }
        var nTest = test > 0 ? max(1, roundedShare(n, test)) : 0
        var nVal = val > 0 ? max(1, roundedShare(n, val)) : 0
        while n - nTest - nVal < 1 {
            if nVal > 0 && nVal >= nTest { nVal -= 1 } else { nTest -= 1 }
        }
        return (nVal, nTest)
    }

    /// Validates percentages: 2 (train/test) or 3 (train/val/test) whole
    /// numbers >= 0 summing to 100, train > 0.
    static func checkRatios(_ ratios: [Int]) throws -> (train: Int, val: Int, test: Int) {
        let text = ratios.map(String.init).joined(separator: "/")
        guard ratios.count == 2 || ratios.count == 3 else {
            throw RecError("ratios: expected train/val/test or train/test percentages, got '\(text)'")
        }
        guard ratios.allSatisfy({ $0 >= 0 }), ratios.reduce(0, +) == 100 else {
            throw RecError("ratios: percentages must be >= 0 and sum to 100, got '\(text)'")
        }
        guard ratios[0] > 0 else { throw RecError("ratios: the train share must be above 0, got '\(text)'") }
        return ratios.count == 3 ? (ratios[0], ratios[1], ratios[2]) : (ratios[0], 0, ratios[1])
    }

    /// Parses `80/10/10` (also `80,10,10` or `80:10:10`) into percentages.
    public static func parseRatios(_ text: String) throws -> [Int] {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "," || $0 == ":" })
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == parts.count, !values.isEmpty else {
            throw RecError("ratios: expected percentages like 80/10/10, got '\(text)'")
        }
        _ = try checkRatios(values)
        return values
    }
}
