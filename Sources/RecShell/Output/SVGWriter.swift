import Foundation

/// Writes charts as a standalone SVG document (axes, ticks, labels, legend),
/// for `plot ... svg=FILE` and notebook outputs. Several charts become panels
/// stacked in one document, so curves on different scales never share an axis.
public enum SVGWriter {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    /// Dash patterns and marker shapes per series, so series differ in print and without colour.
    static let dashes = ["", "6 3", "2 3", "8 3 2 3"]
    enum Marker: CaseIterable { case circle, square, triangle, diamond, cross, plus }

    public static func render(_ chart: Chart, width: Int = 640, height: Int = 400) -> String {
        render(panels: [chart], width: width, panelHeight: height)
    }

    /// The charts one above the other, each with its own axes.
    public static func render(panels: [Chart], width: Int = 640, panelHeight: Int = 400) -> String {
        let height = panelHeight * max(1, panels.count)
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">"]
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
        for (i, chart) in panels.enumerated() {
            svg.append("<g transform=\"translate(0 \(i * panelHeight))\">")
            svg += panel(chart, width: Double(width), height: Double(panelHeight))
            svg.append("</g>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    static func panel(_ chart: Chart, width: Double, height: Double) -> [String] {
        if !chart.categories.isEmpty { return bars(chart, width: width, height: height) }
        let left = 70.0, right = 20.0, top = 40.0, bottom = 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        let points = chart.series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let integerX = !points.isEmpty && points.allSatisfy { $0.x == $0.x.rounded() }
        let xTicks = AxisTicks(points.map(\.x), integer: integerX)
        let yTicks = AxisTicks(points.map(\.y), integer: false)
        func sx(_ x: Double) -> Double { left + xTicks.fraction(x) * plotW }
        func sy(_ y: Double) -> Double { top + (1 - yTicks.fraction(y)) * plotH }

        var svg = ["<text x=\"\(n(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(chart.title))</text>"]
        svg.append("<line x1=\"\(n(left))\" y1=\"\(n(top + plotH))\" x2=\"\(n(left + plotW))\" y2=\"\(n(top + plotH))\" stroke=\"black\"/>")
        svg.append("<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + plotH))\" stroke=\"black\"/>")
        for x in xTicks.values {
            svg.append("<line x1=\"\(n(sx(x)))\" y1=\"\(n(top + plotH))\" x2=\"\(n(sx(x)))\" y2=\"\(n(top + plotH + 5))\" stroke=\"black\"/>")
            svg.append("<text x=\"\(n(sx(x)))\" y=\"\(n(top + plotH + 18))\" text-anchor=\"middle\">\(xTicks.label(x))</text>")
        }
        for y in yTicks.values {
            svg.append("<line x1=\"\(n(left - 5))\" y1=\"\(n(sy(y)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(sy(y)))\" stroke=\"#ddd\"/>")
            svg.append("<text x=\"\(n(left - 8))\" y=\"\(n(sy(y) + 4))\" text-anchor=\"end\">\(yTicks.label(y))</text>")
        }
        svg.append("<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 15))\" text-anchor=\"middle\">\(escape(chart.xLabel))</text>")
        svg.append("<text x=\"15\" y=\"\(n(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 15 \(n(top + plotH / 2)))\">\(escape(chart.yLabel))</text>")
        // Markers on every point only while they stay apart; lines carry dense series.
        let longest = chart.series.map(\.points.count).max() ?? 0
        let showMarkers = longest > 0 && plotW / Double(longest) >= 8
        for (i, series) in chart.series.enumerated() {
            let colour = palette[i % palette.count], dash = dashes[i % dashes.count]
            let marker = Marker.allCases[i % Marker.allCases.count]
            let dashAttribute = dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\""
            let finite = series.points.filter { $0.x.isFinite && $0.y.isFinite }
            let pts = finite.map { "\(n(sx($0.x))),\(n(sy($0.y)))" }
            svg.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashAttribute) points=\"\(pts.joined(separator: " "))\"/>")
            if showMarkers || finite.count == 1 {
                for p in finite { svg.append(draw(marker, x: sx(p.x), y: sy(p.y), colour: colour)) }
            }
            let ly = top + 16 * Double(i), lx = left + plotW - 150
            svg.append("<line x1=\"\(n(lx))\" y1=\"\(n(ly))\" x2=\"\(n(lx + 24))\" y2=\"\(n(ly))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashAttribute)/>")
            svg.append(draw(marker, x: lx + 12, y: ly, colour: colour))
            svg.append("<text x=\"\(n(lx + 30))\" y=\"\(n(ly + 4))\">\(escape(series.name))</text>")
        }
        return svg
    }

    /// One group of bars per category (x = 1, 2, ...), one bar per series, from zero.
    static func bars(_ chart: Chart, width: Double, height: Double) -> [String] {
        let left = 70.0, right = 20.0, top = 60.0, bottom = 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        let values = chart.series.flatMap(\.points).map(\.y).filter(\.isFinite)
        let yTicks = AxisTicks(values + [0], integer: false)
        func sy(_ y: Double) -> Double { top + (1 - yTicks.fraction(y)) * plotH }
        let slot = plotW / Double(chart.categories.count)
        let barW = slot * 0.8 / Double(max(1, chart.series.count))

        var svg = ["<text x=\"\(n(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(chart.title))</text>"]
        for y in yTicks.values {
            svg.append("<line x1=\"\(n(left - 5))\" y1=\"\(n(sy(y)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(sy(y)))\" stroke=\"#ddd\"/>")
            svg.append("<text x=\"\(n(left - 8))\" y=\"\(n(sy(y) + 4))\" text-anchor=\"end\">\(yTicks.label(y))</text>")
        }
        for (c, name) in chart.categories.enumerated() {
            let x0 = left + slot * Double(c) + slot * 0.1
            for (i, series) in chart.series.enumerated() {
                guard let p = series.points.first(where: { $0.x == Double(c + 1) }), p.y.isFinite else { continue }
                let yTop = sy(max(p.y, 0)), yBottom = sy(min(p.y, 0))
                svg.append("<rect x=\"\(n(x0 + barW * Double(i)))\" y=\"\(n(yTop))\" width=\"\(n(barW * 0.9))\" "
                    + "height=\"\(n(yBottom - yTop))\" fill=\"\(palette[i % palette.count])\"/>")
            }
            svg.append("<text x=\"\(n(left + slot * (Double(c) + 0.5)))\" y=\"\(n(top + plotH + 18))\" text-anchor=\"middle\">\(escape(name))</text>")
        }
        svg.append("<line x1=\"\(n(left))\" y1=\"\(n(sy(0)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(sy(0)))\" stroke=\"black\"/>")
        svg.append("<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + plotH))\" stroke=\"black\"/>")
        svg.append("<text x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 15))\" text-anchor=\"middle\">\(escape(chart.xLabel))</text>")
        svg.append("<text x=\"15\" y=\"\(n(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 15 \(n(top + plotH / 2)))\">\(escape(chart.yLabel))</text>")
        // One legend row above the bars, in bar order (left to right within each group).
        for (i, series) in chart.series.enumerated() {
            let ly = top - 20, lx = left + 110 * Double(i)
            svg.append("<rect x=\"\(n(lx))\" y=\"\(n(ly - 5))\" width=\"24\" height=\"10\" fill=\"\(palette[i % palette.count])\"/>")
            svg.append("<text x=\"\(n(lx + 30))\" y=\"\(n(ly + 4))\">\(escape(series.name))</text>")
        }
        return svg
    }

    static func draw(_ marker: Marker, x: Double, y: Double, colour: String) -> String {
        let r = 3.5
        switch marker {
        case .circle:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(colour)\"/>"
        case .square:
            return "<rect x=\"\(n(x - r))\" y=\"\(n(y - r))\" width=\"\(n(2 * r))\" height=\"\(n(2 * r))\" fill=\"\(colour)\"/>"
        case .triangle:
            return "<polygon points=\"\(n(x)),\(n(y - r - 1)) \(n(x - r - 1)),\(n(y + r)) \(n(x + r + 1)),\(n(y + r))\" fill=\"\(colour)\"/>"
        case .diamond:
            return "<polygon points=\"\(n(x)),\(n(y - r - 1)) \(n(x + r + 1)),\(n(y)) \(n(x)),\(n(y + r + 1)) \(n(x - r - 1)),\(n(y))\" fill=\"\(colour)\"/>"
        case .cross:
            return "<path d=\"M\(n(x - r)) \(n(y - r))L\(n(x + r)) \(n(y + r))M\(n(x - r)) \(n(y + r))L\(n(x + r)) \(n(y - r))\" "
                + "stroke=\"\(colour)\" stroke-width=\"2\"/>"
        case .plus:
            return "<path d=\"M\(n(x - r - 1)) \(n(y))L\(n(x + r + 1)) \(n(y))M\(n(x)) \(n(y - r - 1))L\(n(x)) \(n(y + r + 1))\" "
                + "stroke=\"\(colour)\" stroke-width=\"2\"/>"
        }
    }

    static func n(_ v: Double) -> String { Value.fixed(v, decimals: 2) }

    /// Text as XML character data or an attribute value.
    static func escape(_ s: String) -> String {
        s.replacingEach(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"])
    }
}

/// An axis range widened to round numbers, with ticks at 1, 2 or 5 times a
/// power of ten; whole numbers only when the data is (epochs, plane counts).
struct AxisTicks {
    var low: Double
    var high: Double
    var step: Double
    var values: [Double]

    init(_ data: [Double], integer: Bool, target: Int = 6) {
        var lo = data.min() ?? 0, hi = data.max() ?? 1
        if lo == hi { lo -= integer ? 1 : max(abs(lo) * 0.1, 1e-9); hi += integer ? 1 : max(abs(hi) * 0.1, 1e-9) }
        let raw = (hi - lo) / Double(target)
        let power = pow(10, floor(log10(raw)))
        var step = ([1.0, 2, 5, 10].first { $0 * power >= raw } ?? 10) * power
        if integer { step = max(1, step.rounded()) }
        // Integer axes keep the data's ends (epoch 1 .. 15); others widen to the ticks around the data.
        if !integer { lo = (lo / step).rounded(.down) * step; hi = (hi / step).rounded(.up) * step }
        self.low = lo
        self.high = hi
        self.step = step
        var values: [Double] = []
        var k = (lo / step).rounded(.up)
        while k * step <= hi + step * 1e-9 {
            values.append(k * step)
            k += 1
        }
        // An integer axis also labels where the data starts (epoch 1), unless a tick is close.
        if integer, let first = values.first, first - lo > step / 2 { values.insert(lo, at: 0) }
        self.values = values
    }

    /// Where `v` falls between the ends, 0 at `low` and 1 at `high`.
    func fraction(_ v: Double) -> Double { (v - low) / (high - low) }

    /// The tick's text, with the decimals the step needs.
    func label(_ v: Double) -> String {
        let decimals = step >= 1 ? 0 : Int((-log10(step) - 1e-9).rounded(.up))
        return Value.fixed(v, decimals: decimals)
    }
}
