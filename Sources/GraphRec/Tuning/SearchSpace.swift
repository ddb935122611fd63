import Foundation
import Tensors

/// The options a search varies for one model kind, read from the kind's
/// declarations (`ModelOption.scale`): every option with a search scale,
/// except those the user holds fixed.
public struct SearchSpace: Sendable {
    /// One searched option and the values it may take.
    public struct Dimension: Sendable {
        public var option: ModelOption
        /// The values a `.values` scale tries, parsed (empty for ranges).
        let choices: [OptionValue]

        init(_ option: ModelOption) {
            self.option = option
            switch option.scale {
            case .values(let words):
                let typed = words.isEmpty ? option.type.words : words
                choices = typed.compactMap { try? option.parse($0) }
            case .fixed, .linear, .log:
                choices = []
            }
        }

        /// A value drawn uniformly on the option's scale.
        public func sample(using rng: inout SeededGenerator) -> OptionValue {
            switch option.scale {
            case .fixed: return option.defaultValue
            case .values: return choices.isEmpty ? option.defaultValue : choices[rng.nextInt(below: choices.count)]
            case .linear(let range):
                return value(range.lowerBound + rng.nextDouble() * (range.upperBound - range.lowerBound))
            case .log(let range):
                let lo = Foundation.log(range.lowerBound), hi = Foundation.log(range.upperBound)
                return value(exp(lo + rng.nextDouble() * (hi - lo)))
            }
        }

        /// A value near `current`: a step of up to a quarter of the range
        /// (a factor of up to the range's fourth root on a log scale), the
        /// next value up or down of numbers listed in order, or another word.
        public func neighbour(of current: OptionValue, using rng: inout SeededGenerator) -> OptionValue {
            let step = rng.nextDouble() * 2 - 1
            switch option.scale {
            case .fixed: return current
            case .values:
                if let i = choices.firstIndex(of: current), choices.allSatisfy({ Self.number($0) != nil }) {
                    let next = [i - 1, i + 1].filter { choices.indices.contains($0) }
                    return next.isEmpty ? current : choices[next[rng.nextInt(below: next.count)]]
                }
                let others = choices.filter { $0 != current }
                return others.isEmpty ? current : others[rng.nextInt(below: others.count)]
            case .linear(let range):
                let x = Self.number(current) ?? range.lowerBound
                return value(min(range.upperBound, max(range.lowerBound, x + step * (range.upperBound - range.lowerBound) / 4)))
            case .log(let range):
                let x = max(Self.number(current) ?? range.lowerBound, range.lowerBound)
                let factor = exp(step * Foundation.log(range.upperBound / range.lowerBound) / 4)
                return value(min(range.upperBound, max(range.lowerBound, x * factor)))
            }
        }

        /// `x` as this option's type: whole numbers rounded, others to three
        /// significant digits (so a trial reads `lr=0.00312`, not sixteen digits).
        func value(_ x: Double) -> OptionValue {
            switch option.type {
            case .int(let range), .intOrOff(let range):
                return .int(min(range.upperBound, max(range.lowerBound, Int(x.rounded()))))
            case .number(let range):
                guard x != 0 else { return .number(0) }
                let digits = pow(10, 2 - floor(log10(abs(x))))
                return .number(min(range.upperBound, max(range.lowerBound, (x * digits).rounded() / digits)))
            case .flag, .choice, .widths, .counts:
                return option.defaultValue
            }
        }

        static func number(_ v: OptionValue) -> Double? {
            switch v {
            case .int(let i): Double(i)
            case .number(let d): d
            default: nil
            }
        }
    }

    public var dimensions: [Dimension]

    /// The searched options of `kind`, less those named in `fixed`.
    public init(kind: any ModelKind.Type, fixed: Set<String>) {
        dimensions = kind.options.filter { $0.scale.isSearched && !fixed.contains($0.name) }.map(Dimension.init)
    }

    public var names: [String] { dimensions.map(\.option.name) }

    /// The dimensions that can change a model trained with `options`: those
    /// whose `searchedWith` conditions hold there.
    public func relevant(to options: ModelOptions) -> [Dimension] {
        dimensions.filter { d in
            d.option.searchedWith.allSatisfy { name, word in options[name]?.description == word }
        }
    }
}
