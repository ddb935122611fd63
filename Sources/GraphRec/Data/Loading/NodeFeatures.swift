import Tensors

/// The node features the models start from, built the way
/// `torch_geometric.datasets.MovieLens100K.process()` builds them.
///
/// What was matched, from PyG's source:
/// - users: `torch.cat([age, gender, occupation], dim=-1)` in that order, where
///   `age = df["age"] / df["age"].max()` (max over all users in the file),
///   `gender = df["gender"].str.get_dummies()` and
///   `occupation = df["occupation"].str.get_dummies()`. pandas' `get_dummies`
///   makes one column per value *present*, sorted, so gender is (F, M) and the
///   21 occupations are alphabetical (administrator ... writer): 1 + 2 + 21 = 24.
/// - movies: the u.item genre columns `MOVIE_HEADERS[6:]`, Action ... Western,
///   i.e. all 19 flags except the first, "unknown": 18 dims.
/// - rows follow the file order of u.user and u.item (PyG's `user_mapping` /
///   `movie_mapping` enumerate the file's index), which is also recsh's dense
///   index order.
enum NodeFeatures {
    /// The categories of `values` as `get_dummies` orders its columns:
    /// distinct values, sorted by code point.
    static func dummyCategories(_ values: [String]) -> [String] {
        Set(values).sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
    }

    /// Rows of `[age / maxAge, one-hot(gender), one-hot(occupation)]`.
    static func users(ages: [Int], genders: [String], occupations: [String],
                      genderCategories: [String], occupationCategories: [String]) -> (Matrix, [String]) {
        let maxAge = max(ages.max() ?? 1, 1)
        let width = 1 + genderCategories.count + occupationCategories.count
        var m = Matrix(rows: ages.count, cols: width)
        let genderColumn = Dictionary(uniqueKeysWithValues: genderCategories.enumerated().map { ($1, 1 + $0) })
        let occupationColumn = Dictionary(uniqueKeysWithValues: occupationCategories.enumerated().map {
            ($1, 1 + genderCategories.count + $0)
        })
        for u in 0..<ages.count {
            // PyG divides int64 by int64 in numpy (float64), then casts to float32.
            m[u, 0] = Float(Double(ages[u]) / Double(maxAge))
            if let c = genderColumn[genders[u]] { m[u, c] = 1 }
            if let c = occupationColumn[occupations[u]] { m[u, c] = 1 }
        }
        let names = ["age"] + genderCategories.map { "gender:\($0)" } + occupationCategories.map { "occupation:\($0)" }
        return (m, names)
    }

    /// One row per movie, 1 where the movie has the genre of that column.
    static func genres(_ movieGenres: [[String]], columns: [String]) -> Matrix {
        let column = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var m = Matrix(rows: movieGenres.count, cols: columns.count)
        for (i, genres) in movieGenres.enumerated() {
            for g in genres { if let c = column[g] { m[i, c] = 1 } }
        }
        return m
    }
}

extension Dataset {
    /// The feature row of a user who is not in the data set (`newuser`),
    /// built exactly like the loaded users' rows. Throws for a gender or
    /// occupation the data set has no column for, listing the accepted ones.
    public func userFeatureRow(age: Int?, gender: String?, occupation: String?) throws -> [Float] {
        guard userFeatures != nil else {
            throw RecError("\(name) has no user features (age, gender, occupation)")
        }
        var row = [Float](repeating: 0, count: userFeatureNames.count)
        if let age {
            guard age > 0 && age < 150 else { throw RecError("age: expected 1...149, got \(age)") }
            let maxAge = users.compactMap(\.age).max() ?? age
            row[0] = Float(Double(age) / Double(maxAge))
        }
        func setOneHot(_ prefix: String, _ value: String?) throws {
            guard let value else { return }
            let accepted = userFeatureNames.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            guard let k = accepted.firstIndex(where: { $0.lowercased() == value.lowercased() }),
                  let column = userFeatureNames.firstIndex(of: prefix + accepted[k]) else {
                let name = String(prefix.dropLast())
                throw RecError("\(name): unknown value '\(value)' (accepted: \(accepted.joined(separator: ", ")))")
            }
            row[column] = 1
        }
        try setOneHot("gender:", gender)
        try setOneHot("occupation:", occupation)
        return row
    }
}
