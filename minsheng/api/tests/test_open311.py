"""Open311 GeoReport v2: read with the `georeport` client against a live server, write with
form-encoded POSTs exactly as the spec's example does."""

import json
from dataclasses import dataclass

import pytest
import requests
import xmltodict
from georeport import GeoReport

from minsheng.api.models import Open311Request
from minsheng.api.services import open311_key_create
from minsheng.cases.models import Case, Category, Channel, State
from minsheng.cases.workflow import perform
from minsheng.deadlines.models import Kind

DEMO_KEY = "demo-open311-key"


@dataclass
class Services:
    group: Category
    property_management: Category
    construction: Category
    other: Category


@pytest.fixture
def services(cast):
    group = Category.objects.create(name="城乡建设", level=1, department=cast.housing)
    property_management = Category.objects.create(name="物业管理", level=2, parent=group)
    Category.objects.create(name="物业服务质量", level=3, parent=property_management)
    Category.objects.create(name="物业费收取", level=3, parent=property_management)
    construction = Category.objects.create(name="建筑施工", level=2, parent=group)
    other = Category.objects.create(name="其他", level=1)
    open311_key_create(name="demo", key=DEMO_KEY)
    return Services(group, property_management, construction, other)


def spec_example(service: Category, **changes) -> dict:
    """The spec's example request, in our city."""
    return {
        "api_key": DEMO_KEY,
        "jurisdiction_id": "city.gov.cn",
        "service_code": str(service.pk),
        "lat": "31.2304162",
        "long": "121.4737012",
        "address_string": "城东区新华街道幸福小区3号楼",
        "email": "zhang@example.cn",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "伟",
        "last_name": "张",
        "phone": "13812345678",
        "description": "小区电梯已停运一周，物业不予维修。\n老人上下楼非常困难。",
        "media_url": "https://img.example.cn/2212426634.jpg",
        "attribute[kind]": "complaint",
        **changes,
    }


def test_georeport_client_reads_services_and_filed_requests(services, live_server):
    root = f"{live_server.url}/open311/v2"
    discovery = requests.get(f"{root}/discovery.json", timeout=30).json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2")

    client = GeoReport(root)
    listed = client.get_service_list()
    # Second-level topics (and a first-level one without children), grouped by first level.
    assert [s["service_name"] for s in listed] == ["其他", "建筑施工", "物业管理"]
    by_name = {s["service_name"]: s for s in listed}
    assert by_name["物业管理"]["group"] == "城乡建设"
    assert by_name["物业管理"]["keywords"] == "物业服务质量, 物业费收取"
    assert all(isinstance(s["service_code"], str) for s in listed)
    as_xml = GeoReport(root, output_format="xml").get_service_list()
    assert {s["service_code"] for s in as_xml} == {s["service_code"] for s in listed}

    definition = client.get_service_definition(str(services.property_management.pk))
    kind = next(a for a in definition["attributes"] if a["code"] == "kind")
    assert kind["datatype"] == "singlevaluelist"
    assert {v["key"] for v in kind["values"]} == set(Kind.values)

    filed = requests.post(
        f"{root}/requests.json",
        data=spec_example(services.property_management),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        timeout=30,
    )
    assert filed.status_code == 200, filed.text
    answer = filed.json()
    number = answer[0]["service_request_id"]
    assert answer[0]["account_id"] == "123456"
    assert "token" not in answer[0]

    one = client.get_service_request(number)
    assert one["status"] == "open"
    assert one["service_code"] == str(services.property_management.pk)
    assert one["description"].startswith("小区电梯已停运一周")
    assert one["address"] == "城东区新华街道幸福小区3号楼"
    assert one["lat"] == pytest.approx(31.230416)
    assert one["media_url"] == "https://img.example.cn/2212426634.jpg"
    assert one["requested_datetime"].endswith("+08:00")
    one_xml = GeoReport(root, output_format="xml").get_service_request(number)
    assert one_xml["service_request_id"] == number
    assert one_xml["status"] == "open"

    assert [r["service_request_id"] for r in client.get_service_requests(status="open")] == [number]
    assert client.get_service_requests(status="closed") == []
    assert client.get_service_requests(service_code=str(services.construction.pk)) == []
    assert len(client.get_service_requests(service_request_id=f"{number},MS-20000101-000001")) == 1

    token = requests.get(f"{root}/tokens/{number}.json", timeout=30).json()
    assert token == [{"service_request_id": number, "token": number}]


def test_a_filed_request_becomes_a_case_from_the_app_channel(services, client):
    response = client.post("/open311/v2/requests.xml", spec_example(services.property_management))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    declaration = b'<?xml version="1.0" encoding="utf-8"?>\n'
    assert response.content.startswith(declaration + b"<service_requests>")
    number = xmltodict.parse(response.content)["service_requests"]["request"]["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.channel == Channel.APP
    assert case.category == services.property_management
    assert case.kind == Kind.COMPLAINT
    assert case.subject == "小区电梯已停运一周，物业不予维修。"
    assert str(case.latitude) == "31.230416"
    person = case.complainants.get()
    assert (person.name, person.phone, person.email) == ("伟 张", "13812345678", "zhang@example.cn")
    assert Open311Request.objects.get(case=case).device_id == "tt222111"
    assert case.clocks.filter(step="review", stopped_at__isnull=True).exists()


def test_a_request_without_contact_details_is_anonymous(services, client):
    body = spec_example(services.other, **{"attribute[kind]": ""})
    for name in ("email", "first_name", "last_name", "phone"):
        del body[name]
    response = client.post("/open311/v2/requests.json", body)
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.is_anonymous
    assert case.kind == Kind.REPORT, "an anonymous complaint is handled as a report"


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"api_key": "wrong"}, 403),
        ({"api_key": ""}, 403),
        ({"description": ""}, 400),
        ({"lat": "", "long": "", "address_string": ""}, 400),
        ({"lat": "91"}, 400),
        ({"email": "nope"}, 400),
        ({"attribute[kind]": "gossip"}, 400),
        ({"attribute[colour]": "red"}, 400),
        ({"description": "长" * 4001}, 400),
        ({"service_code": "999999"}, 404),
        ({"service_code": "abc"}, 404),
        ({"service_code": "²"}, 404),
    ],
)
def test_bad_requests_get_georeport_errors(services, client, changes, status):
    for fmt in ("json", "xml"):
        response = client.post(
            f"/open311/v2/requests.{fmt}", spec_example(services.construction, **changes)
        )
        assert response.status_code == status
        if fmt == "json":
            errors = response.json()
            assert errors[0]["code"] == status
            assert errors[0]["description"]
        else:
            error = xmltodict.parse(response.content)["errors"]["error"]
            assert int(error["code"] if isinstance(error, dict) else error[0]["code"]) == status
    assert not Case.objects.exists()


def test_reads_reject_bad_filters_and_unknown_ids(services, client):
    for query, status in [
        ({"status": "pending"}, 400),
        ({"start_date": "yesterday"}, 400),
        ({"start_date": "2026-01-01T00:00:00"}, 400),  # no time zone
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, 400),
        ({"service_code": "1;drop"}, 400),
        ({"service_code": "²"}, 400),
        ({"start_date": "2026-01-01T00:00:00+08:00"}, 200),
    ]:
        response = client.get("/open311/v2/requests.json", query)
        assert response.status_code == status, (query, response.content)
    assert client.get("/open311/v2/requests/MS-20000101-000001.json").status_code == 404
    assert client.get("/open311/v2/services/0.xml").status_code == 404
    assert client.get("/open311/v2/tokens/nope.json").status_code == 404
    assert client.get("/open311/v2/services.csv").status_code == 404
    assert client.delete("/open311/v2/services.json").status_code == 405


def test_only_cases_filed_through_open311_are_published(services, cast, client):
    phoned = cast.submit().case
    filed = client.post("/open311/v2/requests.json", spec_example(services.construction))
    number = filed.json()[0]["service_request_id"]

    listed = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert client.get(f"/open311/v2/requests/{phoned.number}.json").status_code == 404


def test_status_follows_the_case(services, cast, client):
    filed = client.post("/open311/v2/requests.json", spec_example(services.construction))
    number = filed.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    perform(case=case, action="reject", actor=cast.intake, note="不属于本市管辖")

    row = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert case.state == State.REJECTED
    assert row["status"] == "closed"
    assert row["status_notes"]
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json()[0] == row
    assert json.dumps(row, ensure_ascii=False).count("13812345678") == 0, "no personal data"


def test_keys_are_stored_hashed_created_once_and_can_be_switched_off(db):
    from io import StringIO

    from django.core.management import call_command

    from minsheng.api.selectors import open311_key_get

    first = open311_key_create(name="demo", key=DEMO_KEY)
    assert open311_key_create(name="demo", key=DEMO_KEY) == first
    assert DEMO_KEY not in first.key_hash
    assert open311_key_get(DEMO_KEY) == first

    out = StringIO()
    call_command("open311_key_create", "city-app", stdout=out)
    name, key = out.getvalue().strip().split(": ")
    created = open311_key_get(key)
    assert created is not None
    assert created.name == name == "city-app"

    first.is_active = False
    first.save(update_fields=["is_active"])
    assert open311_key_get(DEMO_KEY) is None
