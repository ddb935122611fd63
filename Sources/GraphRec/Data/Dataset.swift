import Tensors

/// A loaded MovieLens data set: users, movies, every rating, and the node
/// features the models start from.
///
/// Users and movies are addressed by dense 0-based indices everywhere inside
/// recsh; `User.id` and `Movie.id` keep the data set's own ids (1-based in
/// ml-100k), which are what users type and what output shows.
public struct Dataset: Sendable {
    public enum Layout: String, Sendable, Codable {
        case ml100k = "ml-100k"
        case ml1m = "ml-1m"
        case mlLatest = "ml-latest"
    }

    public var name: String
    public var layout: Layout
    /// The directory the files were read from.
    public var directory: String
    public var users: [User]
    public var movies: [Movie]
    /// Every rating, with dense indices.
    public var ratings: [Rating]
    /// Ratings >= `minRating` count as positives (likes).
    public var minRating: Float
    /// users x 24 (ml-100k); nil when the layout has no user features.
    public var userFeatures: Matrix?
    /// movies x 18 (ml-100k genres without "unknown"); nil when absent.
    public var movieFeatures: Matrix?
    public var userFeatureNames: [String]
    public var movieFeatureNames: [String]
    /// Hex SHA-256 of the rating file, the data set's identity in saved sessions.
    public var checksum: String

    private var userIndexByID: [Int: Int]
    private var movieIndexByID: [Int: Int]

    public init(name: String, layout: Layout, directory: String, users: [User], movies: [Movie],
                ratings: [Rating], minRating: Float, userFeatures: Matrix?, movieFeatures: Matrix?,
                userFeatureNames: [String], movieFeatureNames: [String], checksum: String) {
        self.name = name
        self.layout = layout
        self.directory = directory
        self.users = users
        self.movies = movies
        self.ratings = ratings
        self.minRating = minRating
        self.userFeatures = userFeatures
        self.movieFeatures = movieFeatures
        self.userFeatureNames = userFeatureNames
        self.movieFeatureNames = movieFeatureNames
        self.checksum = checksum
        self.userIndexByID = Dictionary(users.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.movieIndexByID = Dictionary(movies.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public var userCount: Int { users.count }
    public var movieCount: Int { movies.count }

    /// Dense index of the user with data-set id `id`.
    public func userIndex(id: Int) -> Int? { userIndexByID[id] }
    /// Dense index of the movie with data-set id `id`.
    public func movieIndex(id: Int) -> Int? { movieIndexByID[id] }

    /// The positive edges: ratings >= `minRating`, in file order.
    public var positives: [Edge] {
        ratings.compactMap { $0.value >= minRating ? Edge(user: $0.user, movie: $0.movie) : nil }
    }
}

public struct User: Sendable, Equatable, Codable {
    public var id: Int
    public var age: Int?
    public var gender: String?
    public var occupation: String?
    public var zip: String?

    public init(id: Int, age: Int? = nil, gender: String? = nil, occupation: String? = nil, zip: String? = nil) {
        self.id = id
        self.age = age
        self.gender = gender
        self.occupation = occupation
        self.zip = zip
    }
}

public struct Movie: Sendable, Equatable, Codable {
    public var id: Int
    public var title: String
    public var releaseDate: String?
    public var genres: [String]

    public init(id: Int, title: String, releaseDate: String? = nil, genres: [String] = []) {
        self.id = id
        self.title = title
        self.releaseDate = releaseDate
        self.genres = genres
    }
}

/// One rating with dense user and movie indices.
public struct Rating: Sendable, Equatable {
    public var user: Int32
    public var movie: Int32
    public var value: Float
    public var timestamp: Int64

    public init(user: Int32, movie: Int32, value: Float, timestamp: Int64) {
        self.user = user
        self.movie = movie
        self.value = value
        self.timestamp = timestamp
    }
}

/// A user-movie pair by dense indices: one positive interaction.
public struct Edge: Hashable, Sendable, Codable, Comparable {
    public var user: Int32
    public var movie: Int32

    public init(user: Int32, movie: Int32) {
        self.user = user
        self.movie = movie
    }

    public init(_ user: Int, _ movie: Int) { self.init(user: Int32(user), movie: Int32(movie)) }

    public static func < (a: Edge, b: Edge) -> Bool { (a.user, a.movie) < (b.user, b.movie) }
}
