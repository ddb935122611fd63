import Foundation

/// Finding movies and users from what a person types: an id, a title, part
/// of a title. Matching ignores case and accents ("miserables" finds
/// "Misérables, Les (1995)"), so titles with Latin-1 accents stay reachable
/// from a plain keyboard.
extension Dataset {
    /// Indices of the movies whose title contains `text` (case- and
    /// diacritic-insensitive), in data-set order. Empty text matches nothing.
    public func findMovies(matching text: String) -> [Int] {
        let needle = Dataset.fold(text.trimmingCharacters(in: .whitespaces))
        guard !needle.isEmpty else { return [] }
        return movies.indices.filter { Dataset.fold(movies[$0].title).contains(needle) }
    }

    /// The movie index for a token that is a data-set id or a title, quoted
    /// or not. Titles match in this order, the first level with any match
    /// deciding: the whole title; the title without its "(year)" and with a
    /// trailing article moved to the front ("Ice Storm, The" = "The Ice
    /// Storm"); then a substring. One match wins; several are an error
    /// listing the candidates with their ids; none is an error saying so.
    public func resolveMovie(_ token: String) throws -> Int {
        let text = Dataset.unquote(token)
        guard !text.isEmpty else { throw RecError("movie: expected a movie id or title, got nothing") }
        if let id = movieID(parsing: text), let index = movieIndex(id: id) { return index }

        let folded = Dataset.fold(text)
        let key = Dataset.titleKey(text)
        let levels: [(Movie) -> Bool] = [
            { Dataset.fold($0.title) == folded },
            { Dataset.titleKey($0.title) == key },
            { Dataset.fold($0.title).contains(folded) },
        ]
        for matches in levels {
            let found = movies.indices.filter { matches(movies[$0]) }
            if found.count == 1 { return found[0] }
            if found.count > 1 {
                let shown = found.prefix(10).map { "\(movies[$0].id) \(movies[$0].title)" }.joined(separator: "; ")
                let more = found.count > 10 ? "; ... \(found.count - 10) more" : ""
                throw RecError("movie '\(text)' is ambiguous, \(found.count) titles match: \(shown)\(more). "
                               + "Use an id or a fuller title.")
            }
        }
        if movieIDsAreNumbers, Int(text) != nil {
            throw RecError("unknown movie id \(text) in \(name)\(Dataset.idRange(movies.lazy.map(\.id)))")
        }
        throw RecError("no movie title in \(name) matches '\(text)'; try: find WORD")
    }

    /// The user index for a data-set user id.
    public func resolveUser(_ token: String) throws -> Int {
        let text = Dataset.unquote(token)
        guard let id = userID(parsing: text) else {
            throw RecError("user: expected a user id (a whole number), got '\(TextFile.visible(text))'")
        }
        guard let index = userIndex(id: id) else {
            throw RecError("unknown user id \(TextFile.visible(text)) in \(name)\(Dataset.idRange(users.lazy.map(\.id)))")
        }
        return index
    }

    /// " (ids run 1...943)" for numeric ids, " (ids such as u1, u2, u3)" for text.
    static func idRange<S: Sequence<NodeID>>(_ ids: S) -> String {
        var low: NodeID? = nil, high: NodeID? = nil
        var examples: [NodeID] = []
        for id in ids {
            if low.map({ id < $0 }) ?? true { low = id }
            if high.map({ $0 < id }) ?? true { high = id }
            if examples.count < 3 { examples.append(id) }
        }
        guard let low, let high else { return "" }
        if low.number != nil && high.number != nil { return " (ids run \(low)...\(high))" }
        return " (ids such as \(examples.map { TextFile.visible($0.description) }.joined(separator: ", ")))"
    }

    /// Lower-case, accents removed. ASCII, nearly every title, takes a fast
    /// path: Foundation's folding costs tens of microseconds a call on Linux.
    static func fold(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        return s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// A title without "(1995)" and with ", The"/", A"/", An" moved to the front.
    static func titleKey(_ title: String) -> String {
        var t = Substring(fold(title).trimmingCharacters(in: .whitespaces))
        let tail = Array(t.utf8.suffix(6))
        if tail.count == 6, tail[0] == 0x28, tail[5] == 0x29, tail[1...4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            t = t.dropLast(6)
            while t.last == " " { t = t.dropLast() }
        }
        for article in ["the", "a", "an"] where t.hasSuffix(", \(article)") {
            return article + " " + t.dropLast(article.count + 2)
        }
        return String(t)
    }

    /// The token without surrounding whitespace and double quotes.
    static func unquote(_ token: String) -> String {
        var t = token.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, t.hasPrefix("\""), t.hasSuffix("\"") { t = String(t.dropFirst().dropLast()) }
        return t.trimmingCharacters(in: .whitespaces)
    }
}

/// What the `user` and `movie` profile commands show, as plain data.
extension Dataset {
    /// The ratings user `u` gave, highest first, ties by movie index.
    public func ratings(ofUser u: Int) -> [Rating] {
        ratings.filter { Int($0.user) == u }.sorted { ($0.value, $1.movie) > ($1.value, $0.movie) }
    }

    /// The ratings movie `m` received, highest first, ties by user index.
    public func ratings(ofMovie m: Int) -> [Rating] {
        ratings.filter { Int($0.movie) == m }.sorted { ($0.value, $1.user) > ($1.value, $0.user) }
    }

    /// Count and mean of movie `m`'s ratings, and how many are positives.
    public func ratingStats(ofMovie m: Int) -> RatingStats {
        RatingStats(ratings.lazy.filter { Int($0.movie) == m }.map(\.value), minRating: minRating)
    }

    /// Count and mean of user `u`'s ratings, and how many are positives.
    public func ratingStats(ofUser u: Int) -> RatingStats {
        RatingStats(ratings.lazy.filter { Int($0.user) == u }.map(\.value), minRating: minRating)
    }

    /// The user's feature row with column names, or nil without user features.
    public func features(ofUser u: Int) -> [(name: String, value: Float)]? {
        userFeatures.map { f in zip(userFeatureNames, f.row(u)).map { ($0, $1) } }
    }

    /// The movie's feature row with column names, or nil without movie features.
    public func features(ofMovie m: Int) -> [(name: String, value: Float)]? {
        movieFeatures.map { f in zip(movieFeatureNames, f.row(m)).map { ($0, $1) } }
    }
}

/// Count, mean and positives of a set of ratings.
public struct RatingStats: Sendable, Equatable {
    public var count: Int
    /// 0 when there are no ratings.
    public var mean: Double
    /// Ratings >= the data set's `minRating`.
    public var positives: Int

    init<S: Sequence>(_ values: S, minRating: Float) where S.Element == Float {
        var n = 0, sum = 0.0, pos = 0
        for v in values {
            n += 1; sum += Double(v)
            if v >= minRating { pos += 1 }
        }
        count = n
        mean = n > 0 ? sum / Double(n) : 0
        positives = pos
    }
}
