import Foundation

/// Loading a data set again from what a saved session recorded (its layout
/// and `Dataset.directory`): a MovieLens directory, or a synthetic recipe.
public enum DataSource {
    public static func reload(layout: String, path: String, minRating: Float,
                              control: RunControl = .silent) throws -> Dataset {
        switch Dataset.Layout(rawValue: layout) {
        case .synthetic?:
            let shape = try SyntheticData.Shape(recipe: path)
            return try SyntheticData.generate(shape, name: SyntheticData.named.first { $0.shape == shape }?.name ?? "synthetic",
                                              minRating: minRating, control: control)
        case .table?:
            throw RecError("\(path) was loaded as a rating table with its own column options; load it again with "
                           + "'load \(path) ...' (a saved session does not record the options)")
        default:
            return try MovieLensLoader.load(directory: path, minRating: minRating, control: control)
        }
    }
}

extension SyntheticData.Shape {
    /// Reads `recipe` back ("synthetic users=... movies=... ratings=... seed=... skew=... features=on").
    public init(recipe: String) throws {
        var values: [String: String] = [:]
        let words = recipe.split(separator: " ")
        guard words.first == "synthetic" else { throw RecError("'\(recipe)' is not a synthetic data set recipe") }
        for word in words.dropFirst() {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw RecError("'\(recipe)': '\(word)' is not key=value") }
            values[parts[0]] = parts[1]
        }
        guard let users = values["users"].flatMap(Int.init), let movies = values["movies"].flatMap(Int.init),
              let ratings = values["ratings"].flatMap(Int.init) else {
            throw RecError("'\(recipe)': needs users=, movies= and ratings=")
        }
        self.init(users: users, movies: movies, ratings: ratings,
                  seed: values["seed"].flatMap(UInt64.init) ?? 0, skew: values["skew"].flatMap(Double.init) ?? 1,
                  features: values["features"] != "off", groups: values["groups"].flatMap(Int.init) ?? 0)
        try SyntheticData.validate(self)
    }
}
