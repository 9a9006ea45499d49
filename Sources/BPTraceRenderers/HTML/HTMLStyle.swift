/// The explorer's styles: large type for a projector, one column on a phone, two on a wide
/// screen (the derivation beside the picture), the tutorial's yellow (computed) and orange
/// (inputs) with a solid or dashed border besides the colour, and a print stylesheet.
enum HTMLStyle {
    static let css = """
    :root { --ink: #1b1b1b; --muted: #555; --line: #c9c9c9; --computed: #ffe14d; --computed-edge: #6b5900;
      --input: #ffb066; --input-edge: #7a3b00; --focus: #1f5fa8; font-size: 18px; }
    * { box-sizing: border-box; }
    body { margin: 0; font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: var(--ink); background: #fafafa; line-height: 1.4; }
    header { position: sticky; top: 0; z-index: 5; background: #fff; border-bottom: 2px solid var(--line); padding: .4rem 1rem; }
    h1 { margin: 0 0 .3rem; font-size: 1.5rem; } h1 small { font-weight: normal; color: var(--muted); font-size: 1rem; }
    h2 { font-size: 1.2rem; margin: 0 0 .5rem; } h3 { font-size: 1.05rem; margin: .8rem 0 .3rem; }
    #controls { display: flex; flex-wrap: wrap; gap: .4rem 1.5rem; align-items: center; }
    .ctl { display: flex; align-items: center; gap: .5rem; }
    button, select { font: inherit; font-size: 1rem; padding: .25rem .7rem; border: 1px solid #888; border-radius: 6px; background: #f2f2f2; cursor: pointer; }
    input[type=range] { width: min(40vw, 22rem); height: 1.6rem; }
    #status { margin: 0; color: var(--muted); }
    main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; padding: 1rem; align-items: start; }
    .leftcol, .rightcol { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
    .rightcol { position: sticky; top: 6.5rem; max-height: calc(100vh - 7rem); overflow-y: auto; }
    .leftcol > section, .rightcol > section { flex-shrink: 0; }
    section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
    #derivation { min-height: 12rem; } .scroll { overflow-x: auto; }
    svg { width: 100%; height: auto; display: block; } #diagram.compact { max-width: 560px; margin: 0 auto; } #diagram.compact .name { font-size: 11px; }
    #diagram .edge { stroke: #8a8a8a; stroke-width: 1.5; } #diagram .edge.bias { stroke: #aaa; stroke-dasharray: 5 4; }
    #diagram .neuron { stroke: #333; stroke-width: 1.5; } .in { fill: #dbe9f6; } .hid { fill: #e2f0d9; } .outn { fill: #fde9d9; } .biasn { fill: #f3f3f3; }
    #diagram text { font-family: inherit; } #diagram .name { font-size: 17px; font-weight: bold; } #diagram .cap { font-size: 15px; fill: var(--muted); }
    #diagram .lbl { font-size: 15px; fill: var(--ink); } #diagram .lblbg { fill: #fff; fill-opacity: .92; stroke: #d0d0d0; }
    #diagram .lblg.computed .lblbg { fill: var(--computed); fill-opacity: 1; stroke: var(--computed-edge); stroke-width: 2.5; }
    #diagram .lblg.input .lblbg, #diagram .lblg.operand .lblbg { fill: var(--input); fill-opacity: 1; stroke: var(--input-edge); stroke-width: 2.5; stroke-dasharray: 5 3; }
    #diagram .lblg.selected .lblbg { fill: var(--computed); fill-opacity: 1; stroke: #000; stroke-width: 3.5; stroke-dasharray: none; }
    #diagram .newval { display: none; } #diagram.updating .newval { display: inline; }
    #diagram .cell { cursor: pointer; font-weight: bold; } #diagram .cell:focus { outline: none; text-decoration: underline; }
    #losscurve .grid { stroke: #e4e4e4; } #losscurve .axis { stroke: #444; stroke-width: 1.2; } #losscurve .tick { font-size: 16px; fill: #333; }
    #losscurve .curve { fill: none; stroke: #1f5fa8; stroke-width: 2.5; } #losscurve .mark { fill: #e67e22; stroke: #000; stroke-width: 2; }
    #losscurve .markline { stroke: #e67e22; stroke-width: 1.5; stroke-dasharray: 4 3; }
    .note, .hint { color: var(--muted); font-size: .9rem; margin: .4rem 0 0; }
    .legend { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0 0; font-size: .9rem; }
    .key { padding: .1rem .5rem; border-radius: 4px; }
    .computed { background: var(--computed); outline: 3px solid var(--computed-edge); outline-offset: -3px; }
    .input, .operand { background: var(--input); outline: 3px dashed var(--input-edge); outline-offset: -3px; }
    .selected { background: var(--computed); outline: 4px double #000; outline-offset: -4px; }
    .stage { margin: 0 0 .6rem; padding: .3rem .5rem; border-radius: 6px; } .stage.later { opacity: .35; }
    .stage h3 { margin: .2rem 0 .4rem; } .blockrow { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; }
    figure { margin: 0; padding: .3rem; border-radius: 6px; } figcaption { font-weight: bold; font-size: .95rem; }
    figcaption small { font-weight: normal; color: var(--muted); }
    figure.computed, figure.input { outline-width: 3px; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { border: 1px solid var(--line); padding: .15rem .45rem; text-align: right; }
    th { background: #f1f1f1; font-weight: normal; color: var(--muted); font-size: .85rem; }
    td.cell { cursor: pointer; background: #fff; } figure.computed td.cell { background: #fff6c2; } figure.input td.cell { background: #ffe2c4; }
    td.cell.operand { background: var(--input); } td.cell.selected { background: var(--computed); }
    .cell:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
    #derivation .dname { font-size: 1.3rem; margin: .2rem 0; } #derivation code { font-size: 1.3rem; background: #f2f2f2; padding: 0 .3rem; border-radius: 4px; }
    #derivation .where { color: var(--muted); font-size: .9rem; margin: 0 0 .4rem; }
    #derivation dl { display: grid; grid-template-columns: minmax(0, 1fr); gap: .1rem; margin: .4rem 0; }
    #derivation dt { color: var(--muted); font-size: .9rem; margin-top: .3rem; } #derivation dd { margin: 0 0 0 .6rem; overflow-x: auto; }
    #derivation math { font-size: 1.35rem; } #derivation .result { font-size: 1.35rem; font-weight: bold; }
    #derivation .before math { font-size: 1.1rem; } #derivation .before { overflow-x: auto; }
    #derivation ul { padding-left: 1.2rem; margin: .3rem 0; } #derivation li { margin: .15rem 0; }
    #derivation button.cell { font: inherit; padding: 0 .4rem; }
    #derivation mn.operand { outline-width: 2px; outline-offset: 0; padding: 0 .1em; }
    .settings { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; } .settings dt { color: var(--muted); } .settings dd { margin: 0; }
    footer { padding: 0 1rem 1rem; color: var(--muted); font-size: .85rem; }
    @media (max-width: 1000px) {
      :root { font-size: 16px; }
      main { grid-template-columns: minmax(0, 1fr); padding: .5rem; }
      .leftcol, .rightcol { display: contents; } header { position: static; }
      #picture { order: 1; } #derivation { order: 2; } #loss { order: 3; } #blocks { order: 4; } #settings { order: 5; } input[type=range] { width: 60vw; }
      #diagram { min-width: 700px; } #diagram.compact { min-width: 0; }
    }
    @media print {
      :root { font-size: 11pt; } header { position: static; border: none; } #controls button, #controls select, #controls input { display: none; }
      main { display: block; padding: 0; } .rightcol { position: static; max-height: none; overflow: visible; } section { border: none; padding: 0; margin: 0 0 1rem; break-inside: avoid; }
      #derivation { position: static; } #blocks, figure { break-inside: auto; } figure { break-inside: avoid; }
      body { background: #fff; } .stage.later { opacity: 1; } h2, h3, figcaption { break-after: avoid; }
      #controls label, #steplabel { display: none; } #derivation .hint:only-of-type { display: none; }
    }
    """
}
