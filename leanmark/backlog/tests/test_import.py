from datetime import date

import pytest

from leanmark.backlog import queries, services
from leanmark.backlog.models import Idea
from leanmark.domain.value import Model

TODAY = date(2026, 12, 1)

GOOD = (
    "title,stage,channel,tags,ice_impact,ice_confidence,ice_ease,profile,value_rate,"
    "duration_weeks,deadline,penalty,status,reason\n"
    "Cold brew tasting,try,Events,summer,8,7,9,standard,30,4,,,,\n"
    "Holiday gift box,buy,Email,q4,,,,fixed_date,40,2,2026-12-29,100,accepted,\n"
    "Podcast sponsorship,know,Podcasts,,,,,,,,,,parked,too expensive now\n"
    "Just a thought,,,,,,,,,,,,,\n"
)


def run(world, text, **kw):
    data = text.encode() if isinstance(text, str) else text
    return services.import_csv(world.acme, data, actor=world.bob, today=TODAY, **kw)


def test_it_imports_ideas_with_their_scores_and_statuses(world):
    seen = []
    result = run(world, GOOD, progress=lambda done, total: seen.append((done, total)))
    assert [i.title for i in result.created] == [
        "Cold brew tasting",
        "Holiday gift box",
        "Podcast sponsorship",
        "Just a thought",
    ]
    ideas = {i.title: i for i in Idea.objects.all()}
    assert ideas["Cold brew tasting"].status == "evaluated"
    assert queries.score_of(ideas["Cold brew tasting"], Model.ICE, TODAY).value == 8.0
    assert queries.score_of(ideas["Cold brew tasting"], Model.CD3, TODAY).value == 7.5
    assert (ideas["Holiday gift box"].status, ideas["Holiday gift box"].deadline) == (
        "accepted",
        date(2026, 12, 29),
    )
    assert ideas["Podcast sponsorship"].status_reason == "too expensive now"
    assert ideas["Just a thought"].status == "new"
    assert seen[-1] == (8, 8)
    assert queries.history(ideas["Holiday gift box"])[0].data["line"] == 3


def test_the_urgency_profile_may_be_written_in_words(world):
    text = "title,profile,value_rate,duration_weeks,deadline,penalty\n"
    text += "Gift box,Fixed date,40,2,2026-12-29,100\n"
    [idea] = run(world, text).created
    assert (idea.cod_profile, idea.deadline) == ("fixed_date", date(2026, 12, 29))


def test_a_semicolon_separated_file_with_a_bom_imports_too(world):
    result = run(world, "\ufefftitle;channel\nLoyalty card;In store\n".encode())
    assert (result.created[0].title, result.created[0].channel) == ("Loyalty card", "In store")


def test_any_bad_row_rejects_the_whole_file_with_line_numbers(world):
    text = (
        "title,ice_impact,ice_confidence,ice_ease,profile,value_rate,duration_weeks,status,reason\n"
        "Fine,5,5,5,,,,,\n"
        "Too big,11,5,5,,,,,\n"
        ",,,,,,,,\n"
        "No duration,,,,standard,10,0,,\n"
        "Lazy park,,,,,,,parked,\n"
        "Ghost profile,,,,someday,10,1,,\n"
    )
    with pytest.raises(services.ImportRejected) as error:
        run(world, text)
    assert error.value.problems == [
        (3, "Impact must be a whole number from 1 to 10, not 11"),
        (5, "The duration must be more than 0 weeks (CD3 divides by it) (duration_weeks)"),
        (6, "a parked idea needs a reason (the reason column) (reason)"),
        (
            7,
            "unknown urgency profile 'someday'; choose one of standard, fixed_date, "
            "intangible, expedite (profile)",
        ),
    ]
    assert error.value.message.startswith("nothing was imported: 4 bad row(s). line 3: Impact")
    assert Idea.objects.count() == 0


def test_a_missing_title_column_is_refused(world):
    with pytest.raises(services.ImportRejected, match="missing column: title"):
        run(world, "name,channel\nx,y\n")
    assert Idea.objects.count() == 0


def test_an_unknown_column_is_refused_and_the_known_ones_are_listed(world):
    with pytest.raises(services.ImportRejected, match=r"unknown column\(s\): priority"):
        run(world, "title,priority\nx,high\n")


def test_a_file_in_another_encoding_is_refused_with_where(world):
    data = "title\nCafé crème\n".encode("latin-1")
    with pytest.raises(services.ImportRejected) as error:
        run(world, data)
    assert error.value.message == (
        "the file is not UTF-8 text (byte 0xe9 on line 2); save it as 'CSV UTF-8' and try again"
    )
    assert Idea.objects.count() == 0


def test_a_past_deadline_in_the_file_is_refused(world):
    text = (
        "title,profile,value_rate,duration_weeks,deadline,penalty\n"
        "Late,fixed_date,1,1,2026-01-01,5\n"
    )
    with pytest.raises(
        services.ImportRejected, match="line 2: The deadline 2026-01-01 is in the past"
    ):
        run(world, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("title\n", "a header but no ideas"),
        ("title,channel\nx\n", "1 values for 2 columns"),
    ],
)
def test_empty_or_ragged_files_are_refused(world, text, message):
    with pytest.raises(services.ImportRejected, match=message):
        run(world, text)
