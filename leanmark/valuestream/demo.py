"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)``.

Northwind Coffee Roasters' hourglass as it is (15 steps, with the waste a small roaster's
marketing really has: approvals that wait for the owner, leads retyped from a form into the CRM,
reviews copied by hand) and the future state the team drew in its last monthly review.
"""

from leanmark.demo.context import DemoContext

from . import services

# name, stage, owner, PT, LT, %C&A, cost per run, runs/month, value, waste type, milestone,
# (why, value to the customer, how to eliminate, the new simpler step)
Q = tuple[str, str, str, str]
CURRENT: list[tuple] = [
    (
        "Plan the monthly content calendar",
        "know",
        "Content lead",
        "3 h",
        "5 d",
        80,
        180,
        1,
        "necessary",
        "",
        "",
        ("So posts go out on a rhythm", "None directly", "", ""),
    ),
    (
        "Write a brew guide for the blog",
        "know",
        "Writer",
        "6 h",
        "1 d",
        85,
        300,
        4,
        "value_adding",
        "",
        "",
        ("Search traffic", "Learns to brew better coffee", "", ""),
    ),
    (
        "Wait for the owner's sign-off",
        "know",
        "Owner",
        "30 min",
        "1 d",
        90,
        20,
        4,
        "waste",
        "waiting",
        "",
        (
            "The owner wants to see everything",
            "None",
            "Agree a style guide; sign off samples only",
            "Writer publishes against the style guide",
        ),
    ),
    (
        "Publish and share on social",
        "know",
        "Social media",
        "1.5 h",
        "2 d",
        95,
        60,
        8,
        "value_adding",
        "",
        "",
        ("", "", "", ""),
    ),
    (
        "Write and schedule the newsletter",
        "like",
        "Writer",
        "3 h",
        "3 d",
        90,
        150,
        2,
        "value_adding",
        "",
        "",
        ("Keeps us in mind", "Recipes and roast notes", "", ""),
    ),
    (
        "Collect customer reviews",
        "trust",
        "Support",
        "2 h",
        "7 d",
        70,
        40,
        4,
        "value_adding",
        "",
        "",
        ("Social proof", "Honest opinions before buying", "", ""),
    ),
    (
        "Copy reviews onto the website by hand",
        "trust",
        "Web",
        "1.5 h",
        "2 d",
        85,
        45,
        4,
        "waste",
        "transportation",
        "",
        (
            "The review tool does not feed the shop",
            "None",
            "Embed the review widget",
            "Reviews appear on their own",
        ),
    ),
    (
        "Sample-pack request received",
        "try",
        "Web",
        "15 min",
        "4 h",
        92,
        5,
        40,
        "value_adding",
        "",
        "new_lead",
        ("", "Tries the coffee for free", "", ""),
    ),
    (
        "Retype the lead from the form into the CRM",
        "try",
        "Sales",
        "30 min",
        "2 d",
        80,
        12,
        40,
        "waste",
        "defects",
        "",
        (
            "Form and CRM are not connected",
            "None; typos lose leads",
            "Connect the form to the CRM",
            "The lead lands in the CRM by itself",
        ),
    ),
    (
        "Ship the sample pack",
        "try",
        "Fulfilment",
        "1 h",
        "3 d",
        95,
        14,
        40,
        "value_adding",
        "",
        "",
        ("", "Coffee on the doorstep", "", ""),
    ),
    (
        "Follow-up call",
        "try",
        "Sales",
        "30 min",
        "5 d",
        75,
        15,
        30,
        "necessary",
        "",
        "",
        ("To hear what they thought", "Advice on grind and roast", "", ""),
    ),
    (
        "Owner approves the wholesale quote",
        "buy",
        "Owner",
        "30 min",
        "3 d",
        90,
        20,
        10,
        "waste",
        "waiting",
        "",
        (
            "Prices used to change often",
            "None; the café waits",
            "Publish a price list with volume tiers",
            "Sales quotes from the price list",
        ),
    ),
    (
        "Order accepted and confirmed",
        "buy",
        "Sales",
        "30 min",
        "4 h",
        98,
        10,
        10,
        "value_adding",
        "",
        "order_accepted",
        ("", "Knows the coffee is coming", "", ""),
    ),
    (
        "Re-order reminder e-mail",
        "repeat",
        "Marketing",
        "1 h",
        "2 d",
        95,
        30,
        1,
        "value_adding",
        "",
        "",
        ("", "Never runs out of beans", "", ""),
    ),
    (
        "Ask for a referral and send the card",
        "refer",
        "Marketing",
        "30 min",
        "7 d",
        60,
        25,
        2,
        "necessary",
        "",
        "",
        ("Word of mouth is our best channel", "A discount for a friend", "", ""),
    ),
]

# The future state: the four waste steps go; these steps get faster.
FUTURE_CHANGES = {
    "Plan the monthly content calendar": {"lt": "2 d", "ca_percent": 90},
    "Follow-up call": {"lt": "3 d", "ca_percent": 85},
    "Ask for a referral and send the card": {"lt": "3 d", "ca_percent": 75},
}
FUTURE_ADDED = [
    (
        "Auto-reply with a brew guide",
        "try",
        "Marketing automation",
        "5 min",
        "10 min",
        98,
        1,
        40,
        "value_adding",
        "",
        "",
        ("", "Help while the sample travels", "", ""),
    ),
]
# Steps measured on the demo board's columns.
COLUMN_LINKS = {
    "Write a brew guide for the blog": ["Writing"],
    "Wait for the owner's sign-off": ["Waiting for review"],
    "Publish and share on social": ["Scheduled"],
}


def _time(text: str) -> tuple[str, str]:
    value, unit = text.split()
    return value, unit


def _data(row: tuple) -> dict:
    name, stage, owner, pt, lt, ca, cost, runs, value, waste, milestone, questions = row
    pt_value, pt_unit = _time(pt)
    lt_value, lt_unit = _time(lt)
    why, value_to, how, simpler = questions
    return {
        "name": name,
        "stage": stage,
        "owner": owner,
        "pt_value": pt_value,
        "pt_unit": pt_unit,
        "lt_value": lt_value,
        "lt_unit": lt_unit,
        "ca_percent": str(ca),
        "cost_per_run": str(cost),
        "runs_per_month": str(runs),
        "customer_value": value,
        "waste_type": waste,
        "milestone": milestone,
        "why": why,
        "value_to_customer": value_to,
        "how_to_eliminate": how,
        "simpler_step": simpler,
    }


def load(ctx: DemoContext) -> None:
    """Create this app's demo data in ``ctx.workspace`` (deterministic from ``ctx.seed``)."""
    rng = ctx.rng("valuestream")
    owner, member = ctx.owner, ctx.workers[1]
    current = services.create_stream(
        ctx.workspace,
        services.StreamSettings(
            name="Northwind hourglass",
            description="From a stranger reading a brew guide to a café that refers another.",
        ),
        actor=owner,
    )
    columns = {c.name: c.pk for c in ctx.board.columns.all()}
    steps = {}
    for row in CURRENT:
        step = services.add_step(current, _data(row), actor=member)
        steps[step.name] = step
        if step.why and rng.random() < 0.9:  # most steps were walked in the last review
            services.answer_questions(step, {}, actor=owner)
    for name, column_names in COLUMN_LINKS.items():
        ids = [columns[c] for c in column_names if c in columns]
        services.link_columns(steps[name], ids, actor=owner)
    future = services.create_future_state(
        current, name="Northwind hourglass — next quarter", actor=owner
    )
    for step in future.steps.select_related("origin"):
        if step.customer_value == "waste":
            services.delete_step(step, actor=owner)
            continue
        change = FUTURE_CHANGES.get(step.name)
        if change:
            data = {}
            if "lt" in change:
                data["lt_value"], data["lt_unit"] = _time(change["lt"])
            if "ca_percent" in change:
                data["ca_percent"] = str(change["ca_percent"])
            services.edit_step(step, data, actor=owner)
    ship = future.steps.filter(name="Ship the sample pack").first()
    for row in FUTURE_ADDED:
        services.add_step(future, _data(row), actor=owner, before=ship)
