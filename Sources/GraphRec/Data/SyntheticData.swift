import Foundation
import Tensors

/// MovieLens-shaped data sets generated from a seed, for scale tests and for
/// trying ideas away from ML-100K's test sets.
///
/// The model behind the numbers:
/// - **Degrees follow power laws.** User u's number of ratings is a floor
///   plus a share proportional to `rank^(-0.6 * skew)` (ranks shuffled by the
///   seed), capped at half the catalogue; movie popularity is
///   `rank^(-0.8 * skew)`. At skew 1 the busiest tenth of users give about a
///   third of the ratings, as in ml-1m.
/// - **Taste groups are planted.** Users and movies each belong to one of
///   `groups` groups. A user draws each movie from their own group with
///   probability 0.75 (by popularity within the group), otherwise from the
///   whole catalogue; in-group movies get 4-5 stars (sometimes 3), others
///   1-3 (sometimes 4). With min-rating 3 most positives are in-group, so a
///   model that finds the groups beats popularity by a wide margin.
/// - **Features** (`features=on`): movies get 18 genre flags (the group's
///   genre, sometimes one more); users get ml-100k's 24 columns (age,
///   gender, an occupation that follows the group 60% of the time).
///
/// Generation is whole-array work with alias tables (O(1) per draw) and a
/// per-movie stamp for "already rated"; the only per-rating storage is the
/// `Rating` array. Same shape and seed, same data set.
public enum SyntheticData {
    public struct Shape: Sendable, Equatable {
        public var users: Int
        public var movies: Int
        public var ratings: Int
        public var seed: UInt64 = 0
        /// Scales both power-law exponents; 0 gives uniform degrees.
        public var skew: Double = 1
        public var features: Bool = true
        /// Planted taste groups (0: chosen from the catalogue size).
        public var groups: Int = 0

        public init(users: Int, movies: Int, ratings: Int, seed: UInt64 = 0, skew: Double = 1, features: Bool = true,
                    groups: Int = 0) {
            self.users = users
            self.movies = movies
            self.ratings = ratings
            self.seed = seed
            self.skew = skew
            self.features = features
            self.groups = groups
        }

        /// The groups used: at most 20, about one per 50 movies, at least 2.
        public var groupCount: Int { groups > 0 ? groups : max(2, min(20, movies / 50)) }

        /// The command that makes this data set again (recorded as its directory).
        public var recipe: String {
            "synthetic users=\(users) movies=\(movies) ratings=\(ratings) seed=\(seed) skew=\(skew) "
                + "features=\(features ? "on" : "off")" + (groups > 0 ? " groups=\(groups)" : "")
        }
    }

    /// The named shapes: MovieLens 1M, 10M and 25M's user, movie and rating counts.
    public static let named: [(name: String, shape: Shape)] = [
        ("synthetic-1m", Shape(users: 6_040, movies: 3_706, ratings: 1_000_000)),
        ("synthetic-10m", Shape(users: 69_878, movies: 10_677, ratings: 10_000_000)),
        ("synthetic-25m", Shape(users: 162_541, movies: 59_047, ratings: 25_000_000)),
    ]

    public static func shape(named name: String) -> Shape? { named.first { $0.name == name }?.shape }

    static let genres = ML1MReader.genres
    static let inGroupShare = 0.75

    /// Generates the data set. Throws for a shape that cannot exist (no
    /// users, more ratings than half of all user-movie pairs, counts past
    /// 32-bit indices).
    public static func generate(_ shape: Shape, name: String = "synthetic", minRating: Float = 3,
                                control: RunControl = .silent) throws -> Dataset {
        try validate(shape)
        let label = "generate \(name)"
        control.report(ProgressUpdate(label: label, done: 0, total: shape.users))
        var rng = SeededGenerator(seed: shape.seed, stream: "synthetic")
        let k = shape.groupCount
        let userGroup = (0..<shape.users).map { _ in Int32(Int.random(in: 0..<k, using: &rng)) }
        // Movies are dealt to groups round-robin over a shuffled order: every group gets its share.
        var movieOrder = Array(0..<shape.movies)
        movieOrder.shuffle(using: &rng)
        var movieGroup = [Int32](repeating: 0, count: shape.movies)
        for (position, m) in movieOrder.enumerated() { movieGroup[m] = Int32(position % k) }
        var popularity = powerLaw(count: shape.movies, exponent: 0.8 * shape.skew, using: &rng)
        let degrees = userDegrees(shape, using: &rng)

        let global = AliasTable(weights: popularity)
        var members = [[Int32]](repeating: [], count: k)
        for m in 0..<shape.movies { members[Int(movieGroup[m])].append(Int32(m)) }
        let perGroup = members.map { list in AliasTable(weights: list.map { popularity[Int($0)] }) }
        popularity = []

        var ratings: [Rating] = []
        ratings.reserveCapacity(shape.ratings)
        var stamp = [Int32](repeating: -1, count: shape.movies)
        let start: Int64 = 956_703_932 // ml-1m's first timestamp
        for u in 0..<shape.users {
            if u % 4096 == 0 {
                control.report(ProgressUpdate(label: label, done: u, total: shape.users))
                if control.shouldStop() { throw RecError("generate: interrupted; the session is unchanged") }
            }
            let g = Int(userGroup[u])
            let own = members[g], ownTable = perGroup[g]
            var misses = 0
            var drawn = 0
            var t = start + Int64(u) * 600
            while drawn < Int(degrees[u]) {
                let fromGroup = misses < 8 && Double.random(in: 0..<1, using: &rng) < inGroupShare
                var m = fromGroup ? Int(own[ownTable.draw(using: &rng)]) : global.draw(using: &rng)
                if stamp[m] == Int32(u) {
                    misses += 1
                    // A heavy user can exhaust the likely movies: walk to the next unrated one.
                    guard misses > 64 else { continue }
                    while stamp[m] == Int32(u) { m = (m + 1) % shape.movies }
                }
                stamp[m] = Int32(u)
                misses = 0
                drawn += 1
                t += Int64.random(in: 1...3600, using: &rng)
                let value = stars(inGroup: movieGroup[m] == Int32(g), using: &rng)
                ratings.append(Rating(user: Int32(u), movie: Int32(m), value: value, timestamp: t))
            }
        }
        control.report(ProgressUpdate(label: label, done: shape.users, total: shape.users))

        let occupations = ML1MReader.occupations
        var users: [User] = []
        users.reserveCapacity(shape.users)
        var frng = SeededGenerator(seed: shape.seed, stream: "synthetic-features")
        for u in 0..<shape.users {
            let age = Int.random(in: 18...65, using: &frng)
            let gender = Bool.random(using: &frng) ? "F" : "M"
            let job = Double.random(in: 0..<1, using: &frng) < 0.6
                ? Int(userGroup[u]) % occupations.count : Int.random(in: 0..<occupations.count, using: &frng)
            users.append(shape.features ? User(id: u + 1, age: age, gender: gender, occupation: occupations[job])
                                        : User(id: u + 1))
        }
        let movies = (0..<shape.movies).map { m -> Movie in
            var names = [genres[Int(movieGroup[m]) % genres.count]]
            if Bool.random(using: &frng) {
                let extra = genres[Int.random(in: 0..<genres.count, using: &frng)]
                if extra != names[0] { names.append(extra) }
            }
            return Movie(id: m + 1, title: "Movie \(m + 1) (group \(movieGroup[m]))",
                         genres: shape.features ? names.sorted { genres.firstIndex(of: $0)! < genres.firstIndex(of: $1)! } : [])
        }
        var userFeatures: Matrix? = nil, userNames: [String] = []
        var movieFeatures: Matrix? = nil
        if shape.features {
            (userFeatures, userNames) = NodeFeatures.users(
                ages: users.map { $0.age ?? 0 }, genders: users.map { $0.gender ?? "" },
                occupations: users.map { $0.occupation ?? "" }, genderCategories: ["F", "M"],
                occupationCategories: occupations)
            movieFeatures = NodeFeatures.genres(movies.map(\.genres), columns: genres)
        }
        return Dataset(name: name, layout: .synthetic, directory: shape.recipe, users: users, movies: movies,
                       ratings: ratings, minRating: minRating, userFeatures: userFeatures, movieFeatures: movieFeatures,
                       userFeatureNames: userNames, movieFeatureNames: shape.features ? genres : [],
                       checksum: MovieLensLoader.sha256Hex(Array(shape.recipe.utf8)))
    }

    static func validate(_ s: Shape) throws {
        guard s.users >= 1, s.movies >= 2, s.ratings >= 1 else {
            throw RecError("synthetic: users, movies and ratings must be at least 1, 2 and 1 "
                           + "(got \(s.users), \(s.movies), \(s.ratings))")
        }
        guard s.users < Int(Int32.max), s.movies < Int(Int32.max), s.ratings <= 500_000_000 else {
            throw RecError("synthetic: at most 2^31 users or movies and 500,000,000 ratings")
        }
        guard s.ratings <= s.users * (s.movies / 2) else {
            throw RecError("synthetic: \(s.ratings) ratings do not fit \(s.users) users x \(s.movies) movies "
                           + "(at most \(s.users * (s.movies / 2)): half of each user's catalogue)")
        }
        guard s.skew.isFinite, (0...4).contains(s.skew) else { throw RecError("skew: expected 0...4, got \(s.skew)") }
        guard s.groups >= 0, s.groups <= s.movies else {
            throw RecError("groups: expected 0...\(s.movies) (0 chooses), got \(s.groups)")
        }
    }

    /// Stars for a rating: in the user's taste group 4-5 (10% 3), else 1-3 (15% 4).
    static func stars(inGroup: Bool, using rng: inout SeededGenerator) -> Float {
        let x = Double.random(in: 0..<1, using: &rng)
        if inGroup { return x < 0.1 ? 3 : (x < 0.55 ? 4 : 5) }
        return x < 0.15 ? 4 : (x < 0.45 ? 3 : (x < 0.75 ? 2 : 1))
    }

    /// Weights `rank^(-exponent)` over a seeded shuffle of the indices.
    static func powerLaw(count: Int, exponent: Double, using rng: inout SeededGenerator) -> [Double] {
        var ranks = Array(0..<count)
        ranks.shuffle(using: &rng)
        var w = [Double](repeating: 0, count: count)
        for (i, r) in ranks.enumerated() { w[i] = pow(Double(r + 1), -exponent) }
        return w
    }

    /// Each user's number of ratings: a floor plus a power-law share, capped
    /// at half the catalogue, summing exactly to `shape.ratings`.
    static func userDegrees(_ shape: Shape, using rng: inout SeededGenerator) -> [Int32] {
        let n = shape.users, total = shape.ratings
        let cap = max(1, shape.movies / 2)
        let floor = max(1, min(20, total / n / 4))
        let weights = powerLaw(count: n, exponent: 0.6 * shape.skew, using: &rng)
        let sum = weights.reduce(0, +)
        let spread = Double(max(0, total - floor * n))
        var degrees = [Int32](repeating: 0, count: n)
        var assigned = 0
        for u in 0..<n {
            let d = min(cap, min(total, floor + Int(spread * weights[u] / sum)))
            degrees[u] = Int32(d)
            assigned += d
        }
        // Rounding and the cap leave a remainder (or, with a floor above the mean, an excess): spread it one by one.
        var u = 0
        while assigned != total {
            if assigned < total, Int(degrees[u]) < cap { degrees[u] += 1; assigned += 1 }
            else if assigned > total, degrees[u] > 1 { degrees[u] -= 1; assigned -= 1 }
            u = (u + 1) % n
        }
        return degrees
    }
}

/// Walker's alias method: O(n) set-up, O(1) per weighted draw.
struct AliasTable {
    private var probability: [Double]
    private var alias: [Int32]

    init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        var scaled = weights.map { total > 0 ? $0 * Double(n) / total : 1 }
        probability = [Double](repeating: 1, count: n)
        alias = (0..<n).map { Int32($0) }
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            probability[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
    }

    func draw(using rng: inout SeededGenerator) -> Int {
        let i = Int.random(in: 0..<probability.count, using: &rng)
        return Double.random(in: 0..<1, using: &rng) < probability[i] ? i : Int(alias[i])
    }
}
