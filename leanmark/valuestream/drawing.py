"""The value stream map drawn as SVG on the server, in the conventions a lean coach uses:

- the seven hourglass stages as coloured bands, left to right, each with its sub-totals;
- each step a process box (name, owner) with its data box underneath (PT, LT, %C&A, cost,
  customer value); a wait triangle in front of it holds the step's waiting time (LT - PT);
- waste steps carry a red kaizen burst, candidates for elimination a dashed outline;
- the timeline ladder underneath: waiting on the upper rungs, process time on the lower, and the
  totals at its end (lead time, process time, activity ratio, rolled %C&A, cost).

Only SVG presentation attributes are used (no ``style``), so the drawing passes the strict CSP
inline in a page and renders the same in cairosvg for PNG export. Every figure carries a
``<title>`` with its inputs, so a person hovering it sees where it comes from.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

from leanmark.domain import vsm
from leanmark.domain.hourglass import Stage

from .models import State, Step
from .queries import MapView, MeasuredStep

FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1f2933"
MUTED = "#5f6b77"
LINE = "#3d4852"
RED = "#c53030"
AMBER = "#b7791f"
GREEN = "#2f855a"

# Band fill and header colour per stage (soft fills, stronger headers), in hourglass order.
STAGE_COLOURS = {
    Stage.KNOW: ("#eef6fd", "#2b6cb0"),
    Stage.LIKE: ("#eff8f0", "#2f855a"),
    Stage.TRUST: ("#fff6e9", "#b7791f"),
    Stage.TRY: ("#f6effa", "#805ad5"),
    Stage.BUY: ("#fdeef3", "#b83280"),
    Stage.REPEAT: ("#eafafb", "#0987a0"),
    Stage.REFER: ("#f3f9ec", "#5a8a1f"),
}
VALUE_COLOURS = {
    vsm.CustomerValue.VALUE_ADDING: GREEN,
    vsm.CustomerValue.NECESSARY: AMBER,
    vsm.CustomerValue.WASTE: RED,
}
VALUE_LABELS = {
    vsm.CustomerValue.VALUE_ADDING: "Value-adding",
    vsm.CustomerValue.NECESSARY: "Necessary NVA",
    vsm.CustomerValue.WASTE: "Waste",
}

MARGIN = 28
GAP = 64  # in front of each box: the push arrow and the wait triangle
BOX_W = 156
SLOT = GAP + BOX_W
EMPTY_SLOT = 96
TITLE_H = 92
BAND_Y = MARGIN + TITLE_H
BAND_HEAD = 30
BOX_Y = BAND_Y + BAND_HEAD + 34
BOX_H = 70
DATA_Y = BOX_Y + BOX_H + 10
DATA_ROW = 17
TOTALS_W = 250
MIN_WIDTH = 1460  # the legend's one line (it ends near x = 1430) must fit in a short map


@dataclass(frozen=True)
class Layout:
    """The vertical positions below the process boxes, which depend on the data box's rows (a
    "measured" row appears when any step is measured on board columns)."""

    rows: int

    @property
    def data_h(self) -> int:
        return DATA_ROW * self.rows + 8

    @property
    def ladder_top(self) -> int:
        return DATA_Y + self.data_h + 44

    @property
    def ladder_bottom(self) -> int:
        return self.ladder_top + 36

    @property
    def band_foot(self) -> int:
        return self.ladder_bottom + 34

    @property
    def band_bottom(self) -> int:
        return self.band_foot + 40


@dataclass(frozen=True)
class Drawing:
    svg: str
    width: int
    height: int
    boxes: int


def _t(text: object) -> str:
    return escape(str(text))


def _a(text: object) -> str:
    return quoteattr(str(text))


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 11,
    weight: str = "normal",
    fill: str = INK,
    anchor: str = "start",
    cls: str = "",
    extra: str = "",
) -> str:
    klass = f" class={_a(cls)}" if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}" text-anchor="{anchor}"{klass}{extra}>{_t(text)}</text>'
    )


def wrap(text: str, width: int, lines: int) -> list[str]:
    """Break ``text`` into at most ``lines`` lines of about ``width`` characters (an ellipsis
    marks what did not fit). The server has no font metrics; the sizes leave room for them."""
    words, out, line = text.split(), [], ""
    for word in words:
        while len(word) > width:  # a very long word is cut
            if line:
                out.append(line)
                line = ""
            out.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        candidate = f"{line} {word}".strip()
        if len(candidate) <= width:
            line = candidate
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out or [""]


def _burst(cx: float, cy: float, r: float) -> str:
    """A kaizen burst: the VSM mark for waste to remove."""
    import math

    points = []
    for i in range(20):
        radius = r if i % 2 == 0 else r * 0.55
        angle = math.pi * i / 10 - math.pi / 2
        points.append(f"{cx + radius * math.cos(angle):.1f},{cy + radius * math.sin(angle):.1f}")
    return (
        f'<polygon points="{" ".join(points)}" fill="#fde2e2" stroke="{RED}" '
        f'stroke-width="1.6" stroke-linejoin="round"/>'
    )


def _money(amount: Decimal) -> str:
    return f"{amount:,.0f}"


def _pct(share: Fraction | None) -> str:
    return vsm.percent(share)


def draw(
    view: MapView,
    *,
    today: date,
    candidates: Iterable[int] = (),
    measured: dict[int, MeasuredStep] | None = None,
    links: dict[int, str] | None = None,
    highlight: dict[int, str] | None = None,
) -> Drawing:
    """The whole map as one SVG document.

    ``candidates``: step ids to outline as elimination candidates; ``measured``: measured times
    to show beside the estimates; ``links``: step id → URL to open when a box is clicked;
    ``highlight``: step id → "added"/"changed" (the comparison view marks them)."""
    stream = view.stream
    candidate_ids = set(candidates)
    measured = measured or {}
    parts: list[str] = []
    x = MARGIN
    slots: list[tuple[Step, float]] = []
    bands: list[tuple[Stage, float, float, vsm.Totals]] = []
    for stage, steps, totals in view.by_stage:
        start = x
        if not steps:
            x += EMPTY_SLOT
        for step in steps:
            slots.append((step, x))
            x += SLOT
        if steps:
            x += 18  # room after the last box of a stage
        bands.append((stage, start, x, totals))
    ladder_end = x
    width = max(int(ladder_end + 24 + TOTALS_W + MARGIN), MIN_WIDTH)
    extra = [(m.lt is not None) + (m.pt is not None) for m in measured.values() if m.measured.cards]
    lay = Layout(5 + max(extra, default=0))
    height = int(lay.band_bottom + 70)

    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family={_a(FONT)} class="vsm" role="img" '
        f"aria-label={_a(f'Value stream map of {stream.name}')}>"
    )
    parts.append(f"<title>{_t(f'Value stream map: {stream.name}')}</title>")
    parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    parts.append(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{LINE}"/></marker></defs>'
    )
    parts += _title_block(view, today, width)
    for stage, start, end, totals in bands:
        parts += _band(stage, start, end, totals, view, lay)
    for index, (step, slot_x) in enumerate(slots):
        parts += _step(
            view,
            step,
            slot_x,
            first=index == 0,
            candidate=step.pk in candidate_ids,
            measured=measured.get(step.pk),
            link=(links or {}).get(step.pk),
            mark=(highlight or {}).get(step.pk),
            lay=lay,
        )
    parts += _ladder(view, slots, ladder_end, lay)
    parts += _totals(view, ladder_end + 24)
    parts += _legend(height)
    parts.append("</svg>")
    return Drawing("\n".join(parts), width, height, len(slots))


def _title_block(view: MapView, today: date, width: int) -> list[str]:
    stream, summary = view.stream, view.summary
    state = "Future state" if stream.state == State.FUTURE else "Current state"
    colour = "#805ad5" if stream.state == State.FUTURE else "#2b6cb0"
    y = MARGIN
    out = [
        f'<rect x="{MARGIN}" y="{y}" width="{width - 2 * MARGIN}" height="{TITLE_H - 16}" '
        f'fill="#f7f9fb" stroke="#cfd6dd" rx="6"/>',
        f'<rect x="{MARGIN}" y="{y}" width="8" height="{TITLE_H - 16}" fill="{colour}" rx="3"/>',
        _text(MARGIN + 22, y + 28, stream.name, size=20, weight="bold", cls="vsm-name"),
        _text(
            MARGIN + 22,
            y + 50,
            f"Value stream map of the Marketing Hourglass · {state}",
            size=12,
            fill=colour,
            weight="bold",
        ),
        _text(
            MARGIN + 22,
            y + 67,
            f"Times on {summary.basis_label} · drawn {today.isoformat()}"
            + (f" · derived from {stream.derived_from.name}" if stream.derived_from else ""),
            size=11,
            fill=MUTED,
        ),
    ]
    total = summary.total
    headline = [
        ("Lead time", summary.fmt(total.lt)),
        ("Process time", summary.fmt(total.pt)),
        ("Activity ratio", _pct(total.activity_ratio)),
        ("Rolled %C&A", _pct(total.rolled_ca)),
        ("Waste steps", str(total.waste_steps)),
    ]
    hx = width - MARGIN - 16
    for label, value in reversed(headline):
        out.append(_text(hx, y + 36, value, size=17, weight="bold", anchor="end"))
        out.append(_text(hx, y + 54, label, size=10, fill=MUTED, anchor="end"))
        hx -= 118
    return out


def _band(
    stage: Stage, start: float, end: float, totals: vsm.Totals, view: MapView, lay: Layout
) -> list[str]:
    fill, head = STAGE_COLOURS[stage]
    w = end - start - 6
    x = start + 3
    out = [
        f'<g class="band" data-stage="{stage.value}">',
        f'<rect x="{x:.1f}" y="{BAND_Y}" width="{w:.1f}" height="{lay.band_bottom - BAND_Y}" '
        f'fill="{fill}" stroke="{head}" stroke-opacity="0.35" rx="8"/>',
        f'<rect x="{x:.1f}" y="{BAND_Y}" width="{w:.1f}" height="{BAND_HEAD}" fill="{head}" '
        'rx="8"/>',
        f'<rect x="{x:.1f}" y="{BAND_Y + BAND_HEAD - 8}" width="{w:.1f}" height="8" '
        f'fill="{head}"/>',
        _text(
            x + w / 2,
            BAND_Y + 20,
            stage.value.upper(),
            size=13,
            weight="bold",
            fill="#ffffff",
            anchor="middle",
            extra=' letter-spacing="2"',
        ),
    ]
    if totals.steps == 0:
        out.append(_text(x + w / 2, BOX_Y + 30, "no steps", size=11, fill=MUTED, anchor="middle"))
    else:
        summary = view.summary
        line = (
            f"LT {summary.fmt(totals.lt)} · PT {summary.fmt(totals.pt)} · "
            f"{_pct(totals.activity_ratio)}"
        )
        tip = (
            f"{stage.value.capitalize()}: {totals.steps} step(s); lead time Σ LT = "
            f"{summary.fmt(totals.lt)}, process time Σ PT = {summary.fmt(totals.pt)}, wait "
            f"{summary.fmt(totals.wait)}, activity ratio {_pct(totals.activity_ratio)}, rolled "
            f"%C&A {_pct(totals.rolled_ca)}, waste steps {totals.waste_steps}, monthly cost "
            f"{_money(totals.monthly_cost)}"
        )
        out.append(
            f'<g class="stage-total"><title>{_t(tip)}</title>'
            + _text(x + w / 2, lay.band_foot + 8, line, size=11, weight="bold", anchor="middle")
            + _text(
                x + w / 2,
                lay.band_foot + 24,
                f"%C&A {_pct(totals.rolled_ca)} · waste {totals.waste_steps} · "
                f"cost {_money(totals.monthly_cost)}/mo",
                size=10,
                fill=MUTED,
                anchor="middle",
            )
            + "</g>"
        )
    out.append("</g>")
    return out


def _step(
    view: MapView,
    step: Step,
    slot_x: float,
    *,
    first: bool,
    candidate: bool,
    measured: MeasuredStep | None,
    link: str | None,
    mark: str | None,
    lay: Layout,
) -> list[str]:
    summary = view.summary
    value = vsm.CustomerValue(step.customer_value)
    pt, lt = view.minutes(step)
    wait = lt - pt
    bx = slot_x + GAP
    out: list[str] = []
    # push arrow from the previous box (or from the market, for the first) into this one
    ay = BOX_Y + BOX_H / 2
    out.append(
        f'<line x1="{slot_x + (0 if first else 2):.1f}" y1="{ay:.1f}" x2="{bx - 3:.1f}" '
        f'y2="{ay:.1f}" stroke="{LINE}" stroke-width="1.6" marker-end="url(#arrow)"/>'
    )
    # the wait triangle in front of the box
    tx, ty = slot_x + GAP / 2, ay - 10
    triangle = (
        f'<g class="wait"><title>{_t(f"Wait in {step.name}: LT − PT = {summary.fmt(wait)}")}'
        f"</title>"
        f'<polygon points="{tx:.1f},{ty - 26:.1f} {tx - 14:.1f},{ty - 2:.1f} '
        f'{tx + 14:.1f},{ty - 2:.1f}" fill="#fff8e1" stroke="{AMBER}" stroke-width="1.5"/>'
        + _text(tx, ty - 7, "I", size=11, weight="bold", fill=AMBER, anchor="middle")
        + "</g>"
    )
    out.append(triangle)
    stroke = RED if value is vsm.CustomerValue.WASTE else LINE
    dash = ' stroke-dasharray="6 4"' if candidate else ""
    if mark == "added":
        stroke, dash = GREEN, ' stroke-dasharray="6 3"'
    classes = "process" + (" waste" if value is vsm.CustomerValue.WASTE else "")
    classes += " candidate" if candidate else ""
    box = [
        f'<g class={_a(classes)} data-step="{step.pk}" id="vsm-step-{step.pk}">',
        f"<title>{_t(_step_tip(view, step))}</title>",
        f'<rect x="{bx:.1f}" y="{BOX_Y}" width="{BOX_W}" height="{BOX_H}" fill="#ffffff" '
        f'stroke="{stroke}" stroke-width="{2.2 if candidate or mark else 1.6}"{dash} rx="3"/>',
        f'<rect x="{bx + 1:.1f}" y="{BOX_Y + 1}" width="{BOX_W - 2}" height="5" '
        f'fill="{VALUE_COLOURS[value]}"/>',
    ]
    lines = wrap(step.name, 21, 3)
    ny = BOX_Y + 22 if len(lines) > 1 else BOX_Y + 30
    for i, line in enumerate(lines):
        box.append(
            _text(bx + BOX_W / 2, ny + i * 14, line, size=12, weight="bold", anchor="middle")
        )
    box.append(
        f'<line x1="{bx:.1f}" y1="{BOX_Y + BOX_H - 17}" x2="{bx + BOX_W:.1f}" '
        f'y2="{BOX_Y + BOX_H - 17}" stroke="#cfd6dd"/>'
    )
    owner = step.owner or "no owner"
    box.append(
        _text(
            bx + BOX_W / 2,
            BOX_Y + BOX_H - 5,
            wrap(owner, 26, 1)[0],
            size=10,
            fill=MUTED if step.owner else "#9aa5b1",
            anchor="middle",
        )
    )
    if mark == "changed":
        box.append(_text(bx + 4, BOX_Y - 6, "changed", size=9, weight="bold", fill="#805ad5"))
    if mark == "added":
        box.append(_text(bx + 4, BOX_Y - 6, "new step", size=9, weight="bold", fill=GREEN))
    if step.milestone:
        label = "★ New lead" if step.milestone == vsm.Milestone.NEW_LEAD else "★ Order accepted"
        box.append(
            f'<rect x="{bx + BOX_W - 104:.1f}" y="{BOX_Y - 18}" width="100" height="15" '
            f'rx="7" fill="{INK}"/>'
            + _text(
                bx + BOX_W - 54,
                BOX_Y - 7,
                label,
                size=9,
                weight="bold",
                fill="#ffd54f",
                anchor="middle",
            )
        )
    if value is vsm.CustomerValue.WASTE:
        box.append(_burst(bx + BOX_W + 4, BOX_Y - 4, 15))
        box.append(
            _text(bx + BOX_W + 4, BOX_Y, "W", size=10, weight="bold", fill=RED, anchor="middle")
        )
    out.append("".join(box[:2]) + "".join(box[2:]))
    out += _data_box(view, step, bx, measured, lay)
    out.append("</g>")
    if link:
        out.insert(2, f"<a href={_a(link)}>")
        out.append("</a>")
    return out


def _step_tip(view: MapView, step: Step) -> str:
    pt, lt = view.minutes(step)
    s = view.summary
    waste = f" ({step.get_waste_type_display()})" if step.waste_type else ""
    monthly = step.cost_per_run * step.runs_per_month
    return (
        f"{step.name} — {step.get_stage_display()}, owner {step.owner or 'none'}\n"
        f"PT {step.pt_value.normalize():f} {step.pt_unit} = {s.fmt(pt)}; "
        f"LT {step.lt_value.normalize():f} {step.lt_unit} = {s.fmt(lt)}; wait {s.fmt(lt - pt)}\n"
        f"%C&A {step.ca_percent.normalize():f} %; cost {step.cost_per_run:,.2f} × "
        f"{step.runs_per_month.normalize():f} runs/month = {monthly:,.2f}\n"
        f"{step.get_customer_value_display()}{waste}"
    )


def _data_box(
    view: MapView, step: Step, bx: float, measured: MeasuredStep | None, lay: Layout
) -> list[str]:
    s = view.summary
    pt, lt = view.minutes(step)
    value = vsm.CustomerValue(step.customer_value)
    monthly = step.cost_per_run * step.runs_per_month
    rows: list[tuple[str, str, str]] = [
        ("PT", s.fmt(pt), INK),
        ("LT", s.fmt(lt), INK),
        ("%C&A", f"{step.ca_percent.normalize():f} %", INK),
        ("Cost/mo", f"{_money(monthly)}", INK),
    ]
    if measured is not None and measured.measured.cards:
        n = measured.measured.cards
        if measured.lt is not None:
            colour = RED if measured.lt_warning else GREEN
            rows.append((f"LT board (n={n})", s.fmt(measured.lt), colour))
        if measured.pt is not None:
            colour = RED if measured.pt_warning else GREEN
            rows.append((f"PT board (n={n})", s.fmt(measured.pt), colour))
    kind = VALUE_LABELS[value]
    if step.waste_type:
        kind = f"{kind}: {step.get_waste_type_display()}"
    out = [
        f'<rect x="{bx:.1f}" y="{DATA_Y}" width="{BOX_W}" height="{lay.data_h}" fill="#ffffff" '
        f'stroke="{LINE}" stroke-width="1"/>'
    ]
    for i, (label, text, colour) in enumerate(rows):
        y = DATA_Y + 15 + i * DATA_ROW
        out.append(_text(bx + 7, y, label, size=10.5, fill=MUTED))
        out.append(
            _text(bx + BOX_W - 7, y, text, size=10.5, weight="bold", fill=colour, anchor="end")
        )
        out.append(
            f'<line x1="{bx + 4:.1f}" y1="{y + 4:.1f}" x2="{bx + BOX_W - 4:.1f}" y2="{y + 4:.1f}" '
            'stroke="#edf0f3"/>'
        )
    out.append(
        _text(
            bx + BOX_W / 2,
            DATA_Y + lay.data_h - 7,
            wrap(kind, 27, 1)[0],
            size=10,
            weight="bold",
            fill=VALUE_COLOURS[value],
            anchor="middle",
        )
    )
    return out


def _ladder(view: MapView, slots: list[tuple[Step, float]], end: float, lay: Layout) -> list[str]:
    """The timeline: up for waiting (in front of each box), down for the process time (under
    it); an empty stage or the room between stages is a flat stretch of the upper rung."""
    s = view.summary
    top, bottom = lay.ladder_top, lay.ladder_bottom
    out = ['<g class="ladder">']
    points: list[tuple[float, float]] = [(MARGIN, top)]
    labels: list[str] = []
    for step, slot_x in slots:
        pt, lt = view.minutes(step)
        bx = slot_x + GAP
        points += [(bx, top), (bx, bottom), (bx + BOX_W, bottom)]
        points += [(bx + BOX_W, top)]
        labels.append(
            f'<g class="rung wait-rung"><title>{_t(f"{step.name}: wait {s.fmt(lt - pt)}")}'
            "</title>"
            + _text(
                slot_x + GAP / 2,
                top - 6,
                s.fmt(lt - pt),
                size=10.5,
                fill=AMBER,
                anchor="middle",
                weight="bold",
            )
            + "</g>"
        )
        labels.append(
            f'<g class="rung pt-rung"><title>{_t(f"{step.name}: process time {s.fmt(pt)}")}'
            "</title>"
            + _text(
                bx + BOX_W / 2,
                bottom + 15,
                s.fmt(pt),
                size=10.5,
                fill=GREEN,
                anchor="middle",
                weight="bold",
            )
            + "</g>"
        )
    points.append((end, top))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    out.append(
        f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2" '
        'stroke-linejoin="miter"/>'
    )
    out += labels
    total = s.total
    out.append(
        f'<g class="ladder-total"><title>{_t("Σ wait = Σ (LT − PT) over all steps")}</title>'
        + _text(end + 6, top + 4, f"Wait {s.fmt(total.wait)}", size=11, weight="bold", fill=AMBER)
        + "</g>"
    )
    out.append(
        f'<g class="ladder-total"><title>{_t("Σ PT over all steps")}</title>'
        + _text(end + 6, bottom + 4, f"PT {s.fmt(total.pt)}", size=11, weight="bold", fill=GREEN)
        + "</g>"
    )
    out.append("</g>")
    return out


def _totals(view: MapView, x: float) -> list[str]:
    s = view.summary
    t = s.total
    rows = [
        ("Lead time (Σ LT)", s.fmt(t.lt), "sum of every step's lead time"),
        ("Process time (Σ PT)", s.fmt(t.pt), "sum of every step's process time"),
        ("Wait (LT − PT)", s.fmt(t.wait), "lead time less process time"),
        (
            "Activity ratio",
            _pct(t.activity_ratio),
            f"Σ PT ÷ Σ LT = {s.fmt(t.pt)} ÷ {s.fmt(t.lt)}",
        ),
        ("Rolled %C&A", _pct(t.rolled_ca), "product of every step's %C&A"),
        (
            "Value-adding PT",
            _pct(t.value_adding_share),
            f"PT of value-adding steps ({s.fmt(t.value_adding_pt)}) ÷ Σ PT",
        ),
        ("Waste steps", str(t.waste_steps), "steps marked waste"),
        ("Steps", str(t.steps), "steps on the map"),
        ("Monthly cost", _money(t.monthly_cost), "Σ cost per run × runs per month"),
    ]
    y0 = BAND_Y
    h = 56 + len(rows) * 24
    out = [
        '<g class="totals">',
        f'<rect x="{x:.1f}" y="{y0}" width="{TOTALS_W}" height="{h}" fill="#17212b" rx="8"/>',
        _text(
            x + 16,
            y0 + 26,
            "TOTALS",
            size=13,
            weight="bold",
            fill="#7fb3ea",
            extra=' letter-spacing="2"',
        ),
    ]
    for i, (label, value, tip) in enumerate(rows):
        y = y0 + 52 + i * 24
        out.append(
            f'<g class="total" data-total={_a(label)}><title>{_t(tip)}</title>'
            + _text(x + 16, y, label, size=11, fill="#cfd8e3")
            + _text(
                x + TOTALS_W - 16,
                y,
                value,
                size=13,
                weight="bold",
                fill="#ffffff",
                anchor="end",
                cls="total-value",
            )
            + "</g>"
        )
    out.append(_text(x + 16, y0 + h - 10, f"basis: {s.basis.value}", size=9.5, fill="#8fa1b3"))
    out.append("</g>")
    return out


def _legend(height: int) -> list[str]:
    y = height - 40
    x = MARGIN
    out = ['<g class="legend">', _text(x, y + 4, "Legend", size=11, weight="bold")]
    x += 60
    out.append(
        f'<rect x="{x}" y="{y - 9}" width="26" height="16" fill="#fff" stroke="{LINE}"/>'
        + _text(x + 32, y + 4, "process step + data box", size=10.5, fill=MUTED)
    )
    x += 190
    out.append(
        f'<polygon points="{x + 10},{y - 11} {x},{y + 7} {x + 20},{y + 7}" fill="#fff8e1" '
        f'stroke="{AMBER}"/>'
        + _text(x + 28, y + 4, "wait in front of the step (LT − PT)", size=10.5, fill=MUTED)
    )
    x += 240
    out.append(_burst(x + 10, y - 2, 11) + _text(x + 28, y + 4, "waste", size=10.5, fill=MUTED))
    x += 80
    out.append(
        f'<rect x="{x}" y="{y - 9}" width="26" height="16" fill="#fff" stroke="{LINE}" '
        'stroke-dasharray="5 3" stroke-width="2"/>'
        + _text(x + 32, y + 4, "candidate for elimination", size=10.5, fill=MUTED)
    )
    x += 200
    for colour, label in ((GREEN, "value-adding"), (AMBER, "necessary NVA"), (RED, "waste")):
        out.append(
            f'<rect x="{x}" y="{y - 7}" width="18" height="6" fill="{colour}"/>'
            + _text(x + 24, y + 1, label, size=10.5, fill=MUTED)
        )
        x += 120
    out.append(
        f'<polyline points="{x},{y - 8} {x + 12},{y - 8} {x + 12},{y + 6} {x + 30},{y + 6}" '
        f'fill="none" stroke="{INK}" stroke-width="2"/>'
        + _text(x + 38, y + 4, "timeline: wait above, process time below", size=10.5, fill=MUTED)
    )
    out.append("</g>")
    return out
