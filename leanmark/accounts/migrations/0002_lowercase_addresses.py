"""Sign-in ignores the case of the e-mail address from now on: store every address lower-case.

Two accounts whose addresses differ only in case (Alice@x and alice@x) cannot both keep theirs,
and only a person can say which is the real one: the migration stops and names them.
"""

from django.db import migrations


def clashes(rows):
    """Groups of addresses that are one address in any case: [(lower, [spellings...]), ...]."""
    spellings = {}
    for address in rows:
        if address:
            spellings.setdefault(address.strip().lower(), set()).add(address)
    return sorted(
        (lower, sorted(found)) for lower, found in spellings.items() if len(found) > 1
    )


def lowercase_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    rows = list(User.objects.values_list("pk", "username", "email"))
    found = clashes([username for _, username, _ in rows]) + clashes(
        [email for _, _, email in rows]
    )
    if found:
        listed = "; ".join(" and ".join(spellings) for _, spellings in found)
        raise RuntimeError(
            f"These accounts differ only in the case of their e-mail address: {listed}. "
            "Sign-in now ignores case, so each address may belong to one account only. Change "
            "the address of one account of each pair (or delete it), then run migrate again."
        )
    for pk, username, email in rows:
        if username != username.strip().lower() or email != email.strip().lower():
            User.objects.filter(pk=pk).update(
                username=username.strip().lower(), email=email.strip().lower()
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(lowercase_addresses, migrations.RunPython.noop)]
