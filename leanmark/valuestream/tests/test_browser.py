"""What a person sees on a value stream map, in Debian's Chromium (`pytest -m browser`)."""

import re

import pytest
from django.urls import reverse

from leanmark.valuestream import queries, services

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (or fails in CI) with the reason
    expect = None

pytest_plugins = ["leanmark.testing.browser"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FITTED = re.compile(r"(^|\s)fit(\s|$)")  # the drawing's class while it is fitted to the width


def make_map(world):
    stream = services.create_stream(
        world.acme, services.StreamSettings(name="Hourglass"), actor=world.alice
    )
    for name, stage in (("Blog post", "know"), ("Newsletter", "like"), ("Order", "buy")):
        services.add_step(
            stream,
            {
                "name": name,
                "stage": stage,
                "pt_value": "2",
                "pt_unit": "h",
                "lt_value": "1",
                "lt_unit": "d",
            },
            actor=world.alice,
        )
    return stream


def open_map(ui, stream):
    ui.page.goto(
        reverse("valuestream-map", kwargs={"ws": stream.workspace.slug, "stream_id": stream.pk})
    )
    ui.page.wait_for_function("typeof htmx === 'object' && typeof Sortable === 'function'")


def test_adding_a_step_changes_the_summary_and_the_drawing(ui, world):
    stream = make_map(world)
    ui.log_in(world.bob)
    open_map(ui, stream)
    expect(ui.page.locator("#vsm-canvas g.process")).to_have_count(3)
    expect(ui.page.locator("[data-total=lt]")).to_have_text("3.0 d")
    ui.page.evaluate("window.notReloaded = true")
    add = ui.page.locator("#vsm-add")
    ui.page.locator("#vsm-add > summary").click()
    add.get_by_label("Step name").fill("Copy leads into the CRM")
    add.get_by_label("Stage").select_option("try")
    add.get_by_label("Process time", exact=True).fill("30")
    add.get_by_label("Process time unit").select_option("min")
    add.get_by_label("Lead time", exact=True).fill("2")
    add.get_by_label("Lead time unit").select_option("d")
    add.get_by_label("%C&A").fill("80")
    add.get_by_label("Customer value").select_option("waste")
    add.get_by_role("button", name="Add step").click()
    expect(ui.page.locator("#vsm-canvas g.process")).to_have_count(4)
    expect(ui.page.locator("#vsm-canvas g.process.waste")).to_have_count(1)
    expect(ui.page.locator("#vsm-canvas")).to_contain_text("Copy leads into the")
    expect(ui.page.locator("[data-total=lt]")).to_have_text("5.0 d")
    expect(ui.page.locator("[data-total=rolled]")).to_have_text("80.0 %")
    assert ui.page.evaluate("window.notReloaded") is True
    ui.screenshot("valuestream-map.png")


def test_a_refused_step_shows_why_and_keeps_what_was_typed(ui, world):
    stream = make_map(world)
    ui.log_in(world.bob)
    open_map(ui, stream)
    add = ui.page.locator("#vsm-add")
    ui.page.locator("#vsm-add > summary").click()
    add.get_by_label("Step name").fill("Impossible")
    add.get_by_label("Process time", exact=True).fill("5")
    add.get_by_label("Process time unit").select_option("h")
    add.get_by_label("Lead time", exact=True).fill("1")
    add.get_by_label("Lead time unit").select_option("h")
    add.get_by_role("button", name="Add step").click()
    expect(ui.page.locator("#vsm-error")).to_contain_text("cannot be shorter than the process")
    expect(ui.page.locator("#vsm-add").get_by_label("Step name")).to_have_value("Impossible")
    expect(ui.page.locator("#vsm-canvas g.process")).to_have_count(3)
    # The refusal answers 422 on purpose; Chromium logs every 4xx answer as a console error.
    ui.errors[:] = [e for e in ui.errors if "status of 422" not in e]


def test_editing_a_step_inline_redraws_it(ui, world):
    stream = make_map(world)
    step = stream.steps.get(name="Newsletter")
    ui.log_in(world.bob)
    open_map(ui, stream)
    ui.page.locator(f"#step-{step.pk}").get_by_role("link", name="Edit").click()
    form = ui.page.locator(f"#step-{step.pk} form")
    form.get_by_label("Lead time", exact=True).fill("3")
    form.get_by_role("button", name="Save step").click()
    expect(ui.page.locator("[data-total=lt]")).to_have_text("5.0 d")
    expect(ui.page.locator(f"#step-{step.pk}")).to_contain_text("LT3.0 d")


def test_dragging_a_step_into_another_stage_moves_it(ui, world):
    stream = make_map(world)
    order = stream.steps.get(name="Order")
    ui.log_in(world.bob)
    open_map(ui, stream)
    ui.page.evaluate("document.querySelector('.vsm-steps').scrollIntoView()")
    handle = ui.page.locator(f"#step-{order.pk} .handle")
    target = ui.page.locator(".vsm-step-list[data-stage=know]")
    start, end = handle.bounding_box(), target.bounding_box()
    ui.page.mouse.move(start["x"] + 4, start["y"] + 6)
    ui.page.mouse.down()
    ui.page.mouse.move(start["x"] + 8, start["y"] + 12, steps=3)
    for steps in (12, 3, 2):
        end = target.bounding_box()
        ui.page.mouse.move(end["x"] + 40, end["y"] + 8, steps=steps)
        # lists grow and shrink as the step travels (SortableJS animates 150 ms): on a loaded
        # machine the target is still moving, so let it settle and take aim again
        ui.page.wait_for_timeout(200)
    with ui.page.expect_response(lambda r: r.url.endswith("/move")) as answer:
        ui.page.mouse.up()
    assert answer.value.status == 200
    expect(ui.page.locator(f".vsm-step-list[data-stage=know] #step-{order.pk}")).to_be_visible()
    expect(ui.page.locator("#vsm-canvas g.band[data-stage=buy]")).to_contain_text("no steps")
    order.refresh_from_db()
    assert order.stage == "know"
    assert [s.name for s in queries.steps_of(stream)][-1] == "Newsletter"


def make_long_map(world):
    """Two steps in each of the seven stages: at actual size the drawing is over 3,000 px wide."""
    stream = services.create_stream(
        world.acme, services.StreamSettings(name="Long hourglass"), actor=world.alice
    )
    for stage in ("know", "like", "trust", "try", "buy", "repeat", "refer"):
        for n in (1, 2):
            services.add_step(
                stream,
                {
                    "name": f"{stage.capitalize()} step {n}",
                    "stage": stage,
                    "pt_value": "1",
                    "pt_unit": "h",
                    "lt_value": "1",
                    "lt_unit": "d",
                },
                actor=world.alice,
            )
    return stream


WHERE = """() => {
  const inside = (el) => { const r = el.getBoundingClientRect();
    return r.left >= 0 && r.right <= window.innerWidth; };
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    stages: [...document.querySelectorAll('#vsm-canvas g.band')]
      .filter((g) => inside(g.querySelector('text'))).map((g) => g.dataset.stage),
    legend: inside(document.querySelector('#vsm-canvas g.legend')),
  };
}"""


@pytest.mark.parametrize("size", [(1440, 900), (1280, 800)])
def test_the_map_opens_whole_with_all_seven_stages_on_screen(ui, world, size):
    stream = make_long_map(world)
    ui.page.set_viewport_size({"width": size[0], "height": size[1]})
    ui.log_in(world.bob)
    open_map(ui, stream)
    seen = ui.page.evaluate(WHERE)
    assert seen == {
        "overflow": 0,
        "stages": ["know", "like", "trust", "try", "buy", "repeat", "refer"],
        "legend": True,
    }
    ui.page.get_by_role("button", name="Show actual size").click()
    canvas = ui.page.locator("#vsm-canvas")
    assert canvas.evaluate("c => c.scrollWidth > 3000 && c.clientWidth < window.innerWidth")
    assert ui.page.evaluate(WHERE)["overflow"] == 0
    ui.page.get_by_role("button", name="Fit to width").click()
    assert ui.page.evaluate(WHERE)["stages"][-1] == "refer"
    ui.screenshot(f"valuestream-map-{size[0]}.png")


def test_a_redraw_keeps_the_actual_size_the_person_chose(ui, world):
    stream = make_long_map(world)
    step = stream.steps.get(name="Like step 1")
    ui.log_in(world.bob)
    open_map(ui, stream)
    ui.page.get_by_role("button", name="Show actual size").click()
    ui.page.locator(f"#step-{step.pk}").get_by_role("link", name="Edit").click()
    form = ui.page.locator(f"#step-{step.pk} form")
    form.get_by_label("Lead time", exact=True).fill("2")
    form.get_by_role("button", name="Save step").click()
    expect(ui.page.locator("[data-total=lt]")).to_have_text("15.0 d")
    expect(ui.page.locator("#vsm-canvas")).not_to_have_class(FITTED)
    expect(ui.page.get_by_role("button", name="Fit to width")).to_be_visible()


def test_a_click_on_a_compared_map_shows_it_at_actual_size(ui, world):
    current = make_long_map(world)
    future = services.create_future_state(current, actor=world.alice)
    ui.log_in(world.bob)
    ui.page.goto(
        reverse(
            "valuestream-compare",
            kwargs={"ws": current.workspace.slug, "stream_id": current.pk, "future_id": future.pk},
        )
    )
    ui.page.wait_for_function("typeof htmx === 'object'")
    drawing = ui.page.locator("#vsm-future")
    assert drawing.evaluate("c => c.scrollWidth === c.clientWidth")
    box = drawing.bounding_box()
    drawing.click(position={"x": box["width"] * 0.75, "y": box["height"] / 2})
    expect(drawing).not_to_have_class(FITTED)
    # at actual size, the point clicked three quarters across stays under the pointer (give or
    # take the box's border and rounding: a few pixels of a 3,000 px drawing)
    left, width = drawing.evaluate("c => [c.scrollLeft, c.scrollWidth]")
    assert width > 3000
    assert abs(left + box["width"] * 0.75 - width * 0.75) < 8
    assert ui.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    drawing.click()
    expect(drawing).to_have_class(FITTED)
