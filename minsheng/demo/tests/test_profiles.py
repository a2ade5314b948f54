"""`manage.py load_profile`: the list, loading one, refusing a broken configuration as a
whole, and not loading a demo twice."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from minsheng.cases.models import Case, Office
from minsheng.deadlines.models import CaseClass
from minsheng.demo.profiles import OFFICES_DIR, Profile, ProfileError, profile_load, profiles

pytestmark = pytest.mark.django_db


def test_list_prints_one_profile_a_line_its_name_first():
    out = StringIO()
    call_command("load_profile", "--list", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split("\t")[0] for line in lines] == sorted(
        path.stem for path in OFFICES_DIR.glob("*.toml")
    )
    assert "labour_inspectorate\t劳动保障监察大队" in out.getvalue()


def test_loading_prints_the_demo_and_the_logins_and_a_second_load_adds_no_demo():
    out = StringIO()
    call_command("load_profile", "labour_inspectorate", stdout=out)
    again = StringIO()
    call_command("load_profile", "labour_inspectorate", stdout=again)

    assert "Demo cases: 3" in out.getvalue()
    assert "  intake      周敏" in out.getvalue()
    assert "Demo cases: 0" in again.getvalue()
    assert Case.objects.count() == 3
    assert Office.objects.get().profile == "labour_inspectorate"


def test_an_unknown_profile_is_refused_naming_the_known_ones():
    with pytest.raises(
        CommandError, match="No profile named 'mars'. Profiles: .*labour_inspectorate"
    ):
        call_command("load_profile", "mars")


def test_a_broken_configuration_is_refused_and_nothing_is_written(english):
    labour = profiles()["labour_inspectorate"]
    broken = {
        **labour.data,
        # A chain whose second level names a role no user of the profile holds.
        "users": [u for u in labour.data["users"] if u["username"] != "leader"],
        "classes": [
            {
                "code": "x",
                "label": "X类",
                "levels": [
                    {"label": "科长", "role": "head"},
                    {"label": "局长", "role": "leader"},
                ],
            }
        ],
    }

    with pytest.raises(ProfileError, match="Level 2: no active user is a Leader"):
        profile_load(Profile(name="broken", title="", summary="", data=broken))

    assert not CaseClass.objects.exists()
    assert not Office.objects.exists()
    assert not Case.objects.exists()


def test_the_office_admin_refuses_an_acceptance_approval_nobody_can_give(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {
        "name": "某局",
        "profile": "",
        "uses_acceptance_approval": "on",
        "acceptance_role": "supervisor",
        "uses_plan": "on",
        "uses_return_visit": "on",
    }

    refused = admin_client.post(reverse("admin:cases_office_add"), form)

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["acceptance_role"] == [
        "No active user is a Supervisor, so no acceptance could be approved."
    ]
    assert not Office.objects.exists()


def test_the_admin_lists_the_profiles_and_loads_one(admin_client):
    url = reverse("admin:demo_officeprofile_changelist")

    page = admin_client.get(url)
    loaded = admin_client.post(url, {"profile": "labour_inspectorate"}, follow=True)
    unknown = admin_client.post(url, {"profile": "mars", "demo": "on"}, follow=True)

    assert page.status_code == 200
    assert [p.name for p in page.context["profiles"]] == list(profiles())
    assert loaded.status_code == 200
    assert Office.objects.get().profile == "labour_inspectorate"
    assert not Case.objects.exists()  # the demo box was unticked
    assert "No profile named &#x27;mars&#x27;" in unknown.content.decode()


def test_an_offices_own_file_loads_and_a_bad_one_is_refused_naming_what(tmp_path):
    own = tmp_path / "my_office.toml"
    own.write_text(
        """
title = "某街道便民服务中心"
summary = "one class, a general policy"
[office]
name = "某街道便民服务中心"
reception_phone = "0571-12345678"
[[classes]]
code = "normal"
label = "普通"
[[policies]]
unit = "working_days"
review = 1
dispatch = 1
plan = 2
result = 5
""",
        encoding="utf-8",
    )
    broken = tmp_path / "broken.toml"
    broken.write_text(
        'title = "x"\nsummary = "y"\n[[admissibility]]\nmax_age_days = 3\nreason = "nope"\n',
        encoding="utf-8",
    )
    garbled = tmp_path / "garbled.toml"
    garbled.write_text("title = \n", encoding="utf-8")

    out = StringIO()
    call_command("load_profile", "--file", str(own), stdout=out)

    assert "Loaded the profile my_office: 某街道便民服务中心" in out.getvalue()
    assert Office.objects.get().reception_phone == "0571-12345678"
    assert CaseClass.objects.get().label == "普通"
    with pytest.raises(CommandError, match="broken: nothing named 'nope' is defined"):
        call_command("load_profile", "--file", str(broken))
    with pytest.raises(CommandError, match="garbled.toml"):
        call_command("load_profile", "--file", str(garbled))
    assert Office.objects.get().profile == "my_office"  # the refused ones wrote nothing
