/// The page's styles: one light theme, system fonts, no external files.
enum PageCSS {
    static let text = #"""
:root { --fg: #1d232a; --dim: #66707a; --line: #d8dde3; --bg: #f5f7f9; --panel: #fff;
        --accent: #d9480f; --cool: #1971c2; --good: #2b8a3e; --bad: #c92a2a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 1.2em; padding: .6em 1.2em; background: #20262e; color: #f1f3f5; }
header h1 { margin: 0; font-size: 1.3em; }
header .dim { color: #adb5bd; }
.status { margin-left: auto; font-size: .85em; padding: .1em .6em; border-radius: 1em; background: #495057; }
body[data-status="ready"] .status { background: var(--good); }
body[data-status="error"] .status { background: var(--bad); }
main { display: grid; grid-template-columns: minmax(260px, 1fr) 2fr; gap: .9em; padding: .9em 1.2em; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .7em .9em; min-width: 0; }
.panel.wide { grid-column: 2; grid-row: 1; }
#who { grid-column: 1; grid-row: 1; }
#whatif { grid-column: 1; grid-row: 2 / span 2; }
#attention { grid-column: 2; grid-row: 2; }
#lsh { grid-column: 2; grid-row: 3; }
h2 { margin: 0 0 .5em; font-size: 1.05em; }
h3 { margin: .9em 0 .3em; font-size: .95em; }
.dim { color: var(--dim); }
.small { font-size: .85em; }
.row { display: flex; flex-wrap: wrap; gap: .6em; align-items: center; margin-bottom: .4em; }
label.block { display: block; margin: .4em 0; }
input, select, button { font: inherit; }
input[type=number] { width: 5em; }
input[type=search] { width: 100%; }
button { border: 1px solid var(--line); background: #f1f3f5; border-radius: 5px; padding: .15em .7em; cursor: pointer; }
button:hover { background: #e9ecef; }
.profile { margin: .3em 0; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: .7em; }
.model-column h3 { margin: 0 0 .3em; }
.model-column ol { margin: 0; padding-left: 1.7em; }
.model-column li { margin: .15em 0; }
.rec .title { font-weight: 500; }
.rec .why { display: block; color: var(--dim); font-size: .8em; }
.rec .score { color: var(--dim); font-size: .8em; margin-left: .3em; }
.hit { color: var(--good); font-size: .75em; border: 1px solid var(--good); border-radius: 3px; padding: 0 .25em; margin-left: .3em; }
.toggle { border: none; background: none; padding: 0 .2em; color: #adb5bd; font-size: 1em; }
.toggle.on { color: var(--accent); }
.error { color: var(--bad); }
.chips { display: flex; flex-wrap: wrap; gap: .3em; margin: .3em 0; }
.chip { background: #fff4e6; border: 1px solid #ffd8a8; border-radius: 1em; padding: 0 .6em; font-size: .85em; }
.chip.drop { background: #e7f5ff; border-color: #a5d8ff; }
.results { list-style: none; margin: 0; padding: 0; max-height: 9em; overflow: auto; }
.results li { cursor: pointer; padding: .1em .3em; }
.results li:hover { background: #f1f3f5; }
.moves { padding-left: 1.9em; margin: .3em 0; }
.moves li.new { color: var(--good); font-weight: 600; }
.moves li.gone { color: var(--bad); text-decoration: line-through; }
.moves .delta { font-size: .8em; margin-left: .3em; }
.liked { list-style: none; padding: 0; margin: 0; max-height: 14em; overflow: auto; font-size: .9em; }
.liked li.off { color: var(--dim); text-decoration: line-through; }
#att-graph svg, #lsh-chart svg { width: 100%; height: auto; display: block; }
.lsh-result { display: grid; grid-template-columns: repeat(4, 1fr); gap: .4em; margin: .4em 0; }
.metric { background: #f8f9fa; border-radius: 6px; padding: .3em .5em; }
.metric b { display: block; font-size: 1.3em; }
footer { padding: .3em 1.2em 1em; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } .panel, .panel.wide, #who, #whatif, #attention, #lsh { grid-column: 1; grid-row: auto; } }
"""#
}
