import Foundation
import Spec

/// `report.html`: one self-contained page (inline CSS, SVG and a few lines of script, nothing
/// fetched) showing a run's experiment, leaderboard, learning curves, search and test results.
enum ReportPage {
    /// Reads the run in `folder` and writes `folder/report.html` atomically; returns its path.
    @discardableResult
    static func write(folder: String) throws -> String {
        let input = try ReportInput.load(folder)
        let path = folder + "/report.html"
        try AtomicFile.write(html(input), to: path)
        return path
    }

    static func html(_ r: ReportInput) -> String {
        let name = SVG.escape(r.experiment.name)
        var body = "<header><h1>\(name)</h1><p class=\"sub\">\(SVG.escape(subtitle(r)))</p>"
        body += "<nav>" + ["experiment", "leaderboard", "curves", "search", "test"].filter { section in
            section != "search" || (r.folds > 0 && !r.ranked.isEmpty)
        }.map { "<a href=\"#\($0)\">\(titles[$0]!)</a>" }.joined(separator: " · ") + "</nav></header>\n<main>\n"
        body += ReportSections.experiment(r)
        body += ReportSections.leaderboard(r)
        body += ReportSections.curves(r)
        if r.folds > 0 && !r.ranked.isEmpty { body += ReportSections.search(r) }
        body += ReportSections.test(r)
        body += "</main>\n<footer>Written by runner \(RunnerCommand.version) from the files in this folder; "
            + "<code>runner report DIR</code> writes it again.</footer>\n"
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<meta name=\"color-scheme\" content=\"light dark\">\n"
            + "<title>\(name) · runner report</title>\n<style>\n\(style)</style>\n</head>\n<body>\n"
            + body + "<script>\n\(script)</script>\n</body>\n</html>\n"
    }

    static let titles = ["experiment": "Experiment", "leaderboard": "Leaderboard", "curves": "Learning curves",
                         "search": "Search", "test": "Test split"]

    static func subtitle(_ r: ReportInput) -> String {
        var parts = ["seed \(r.experiment.seed)"]
        if r.folds > 0 {
            parts.append("\(r.trialCount) trial\(r.trialCount == 1 ? "" : "s") × \(r.folds)-fold cross-validation")
        }
        parts.append("scoring \(r.scoring.name) (\(r.scoring.higherIsBetter ? "higher" : "lower") is better)")
        if let t = r.facts?.finalTrial { parts.append(r.folds > 0 ? "final model: trial \(t) refitted" : "one model") }
        return parts.joined(separator: " · ")
    }

    /// Light by default, dark when the reader's system asks for it; series colours are the
    /// Okabe–Ito palette, readable in both.
    static let style = """
    :root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1b1b; --muted: #666666; --grid: #e4e4e4; --frame: #888888;
      --panel: #f6f6f6; --bad: #b3261e; --train: #0072B2; --val: #D55E00; --best: #D55E00; --pt: #0072B2; --halo: #ffffff; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #161616; --fg: #e8e8e8; --muted: #a0a0a0; --grid: #333333; --frame: #8a8a8a; --panel: #222222;
        --bad: #ff8a80; --train: #56B4E9; --val: #E69F00; --best: #E69F00; --pt: #56B4E9; --halo: #161616; }
    }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; }
    header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 20px; }
    h1 { margin: 18px 0 2px; font-size: 26px; }
    h2 { margin: 28px 0 8px; font-size: 19px; border-bottom: 1px solid var(--grid); padding-bottom: 3px; }
    h3 { margin: 16px 0 6px; font-size: 15px; }
    .sub, .note, footer { color: var(--muted); }
    nav a { color: inherit; }
    footer { margin: 30px auto 20px; font-size: 12px; }
    pre, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
    pre { background: var(--panel); padding: 8px 10px; overflow-x: auto; line-height: 1.2; }
    table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
    th, td { padding: 3px 9px; text-align: right; border-bottom: 1px solid var(--grid); white-space: nowrap; }
    th { background: var(--panel); position: sticky; top: 0; }
    td.text, th.text { text-align: left; }
    table.sortable th { cursor: pointer; }
    table.sortable th[aria-sort="ascending"]::after { content: " ▲"; }
    table.sortable th[aria-sort="descending"]::after { content: " ▼"; }
    tr.bad td { color: var(--bad); }
    td.reason { white-space: normal; text-align: left; max-width: 420px; }
    .scroll { max-height: 520px; overflow: auto; border: 1px solid var(--grid); display: inline-block; max-width: 100%; }
    .facts td:first-child { text-align: left; color: var(--muted); }
    .facts td { text-align: left; white-space: normal; max-width: 460px; }
    .plots { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: flex-start; }
    .cols { display: flex; flex-wrap: wrap; gap: 10px 30px; align-items: flex-start; }
    svg.plot { max-width: 100%; height: auto; font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--fg); }
    svg .title { font-weight: 600; font-size: 12px; }
    svg .label { fill: var(--muted); }
    svg .note { fill: var(--muted); font-style: italic; }
    svg .grid { stroke: var(--grid); stroke-width: 1; }
    svg .frame, svg .tick { stroke: var(--frame); stroke-width: 1; }
    svg .halo { paint-order: stroke; stroke: var(--halo); stroke-width: 3px; stroke-linejoin: round; }
    svg polyline, svg .lines line, svg .legend line { fill: none; stroke-linejoin: round; stroke-linecap: round; }
    svg .train { stroke: var(--train); fill: var(--train); }
    svg .val { stroke: var(--val); fill: var(--val); }
    svg polyline.train, svg polyline.val, svg .legend line { fill: none; }
    svg .bold { stroke-width: 2.2; }
    svg .faint { stroke-width: 1; stroke-opacity: 0.35; }
    svg .legend .faint { stroke: var(--muted); stroke-opacity: 0.6; }
    svg .pt { fill: var(--pt); fill-opacity: 0.7; }
    svg .best { fill: var(--best); stroke: var(--fg); stroke-width: 1; }
    svg .runbest { stroke: var(--best); stroke-width: 2; fill: none; }
    svg .legend .runbest { stroke: var(--best); }
    svg .diagonal { stroke: var(--muted); stroke-dasharray: 4 3; }
    svg .range { stroke: var(--frame); stroke-width: 1.5; }
    svg .range.thin { stroke-width: 0.6; stroke-opacity: 0.7; }
    svg .fold { fill: var(--train); fill-opacity: 0.6; }
    svg .mean { fill: var(--val); }
    svg .on-dark { fill: #ffffff; }
    svg .on-light { fill: #111111; }
    details summary { cursor: pointer; color: var(--muted); }

    """

    /// Sorting the leaderboard by a click on a column's header (numbers as numbers, blanks last).
    static let script = """
    document.querySelectorAll("table.sortable th").forEach(function (th, i) {
      th.addEventListener("click", function () {
        var body = th.closest("table").tBodies[0];
        var up = th.getAttribute("aria-sort") !== "ascending";
        th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[i].textContent, y = b.cells[i].textContent;
          if (x === "" || y === "") { return (x === "") - (y === ""); }
          var p = parseFloat(x), q = parseFloat(y);
          var c = isNaN(p) || isNaN(q) ? x.localeCompare(y) : p - q;
          return up ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });

    """
}
