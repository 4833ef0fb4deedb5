import pytest

from leanmark.domain.channeldata.grouping import (
    DEFAULT_RULES,
    UNASSIGNED,
    channel_for,
    rule_dict,
    rules_from,
)


@pytest.mark.parametrize(
    ("source", "medium", "channel"),
    [
        ("(direct)", "(none)", "Direct"),
        ("google", "cpc", "Paid search"),
        ("bing", "ppc", "Paid search"),
        ("Google", "organic", "Organic search"),
        ("duckduckgo.com", "referral", "Organic search"),  # a search site before referral
        ("facebook", "paid_social", "Paid social"),
        ("instagram", "cpc", "Paid social"),
        ("linkedin", "social", "Organic social"),
        ("newsletter-partner.example", "social-media", "Organic social"),
        ("youtube", "cpv", "Paid video"),
        ("youtube.com", "referral", "Organic video"),
        ("gdn", "display", "Display"),
        ("criteo", "retargeting", "Paid other"),
        ("google", "shopping_cpc", "Paid search"),  # GA4 needs a shopping campaign for shopping
        ("idealo", "cpc", "Paid shopping"),
        ("mailchimp", "email", "Email"),
        ("newsletter", "", "Email"),
        ("partner.example", "affiliate", "Affiliates"),
        ("coffee-blog.example", "referral", "Referral"),
        ("twilio", "sms", "SMS"),
        ("firebase", "push", "Mobile push notifications"),
        ("spotify", "podcast", "Audio"),
        ("flyer", "print", UNASSIGNED),
        ("", "", UNASSIGNED),
    ],
)
def test_default_grouping(source, medium, channel):
    assert channel_for(source, medium) == channel


def test_a_workspace_rule_list_is_tried_in_order_and_can_name_new_channels():
    rules = rules_from(
        [
            {"channel": "Podcast ads", "source": "spotify|acast", "medium": ""},
            {"channel": "Print", "source": "", "medium": "print|flyer"},
        ]
    )
    assert channel_for("acast", "podcast", rules) == "Podcast ads"
    assert channel_for("flyer", "print", rules) == "Print"
    assert channel_for("google", "cpc", rules) == UNASSIGNED  # the default is replaced
    assert [rule_dict(r) for r in rules][1] == {
        "channel": "Print",
        "source": "",
        "medium": "print|flyer",
    }


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"channel": "", "source": "x"}], "rule 1 needs a channel name of 1 to 60 characters"),
        (
            [{"channel": "Ok"}, {"channel": "Bad", "medium": "(unclosed"}],
            "rule 2: the medium pattern '(unclosed' is not a regular expression",
        ),
        (["google"], "rule 1 must give a channel, a source and a medium"),
        ([{"channel": "x"}] * 201, "at most 200 channel rules, not 201"),
    ],
)
def test_bad_rules_are_refused_with_their_number(rules, message):
    with pytest.raises(ValueError, match=r"^" + message.replace("(", r"\(")):
        rules_from(rules)


def test_the_default_rules_survive_being_stored():
    stored = [rule_dict(r) for r in DEFAULT_RULES]
    assert tuple(rules_from(stored)) == DEFAULT_RULES
