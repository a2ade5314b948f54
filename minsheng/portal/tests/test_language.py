"""The language switcher on the portal and the workbench."""


def test_pages_are_chinese_by_default_and_switch_to_english(client, cast):
    home = client.get("/")
    assert '<html lang="zh-hans">' in home.text
    assert "我要反映" in home.text  # "Submit a matter"
    assert 'name="language"' in home.text

    switched = client.post("/language/", {"language": "en", "next": "/guide/"})
    assert switched["Location"] == "/guide/"
    guide = client.get("/guide/")
    assert '<html lang="en">' in guide.text
    assert "How it works" in guide.text

    client.force_login(cast.intake)
    assert "My work" in client.get("/work/").text  # the workbench follows the same choice
    client.post("/language/", {"language": "zh-hans", "next": "/work/"})
    assert '<html lang="zh-hans">' in client.get("/work/").text


def test_the_receipt_page_offers_no_switch_that_would_lose_the_query_code(client, db):
    assert 'name="language"' not in client.get("/receipt/").text
