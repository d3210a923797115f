"""The pure notification logic: signatures, payloads, response checks, backoff."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.logic import notify as logic

pytestmark = pytest.mark.usefixtures("english")

MSG = logic.Message(event="ticket.overdue", title="工单超时", text="机房温度 35℃",
                    severity="critical", link="https://careops.example/t/1",
                    sent_at=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                    severity_label="严重")


def test_dingtalk_sign_matches_the_documented_algorithm():
    # Recomputed the way DingTalk's documentation (Python sample) does it.
    secret, ts = "SECabc", 1700000000000
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert unquote_plus(logic.dingtalk_sign(secret, ts)) == base64.b64encode(digest).decode()


def test_dingtalk_request_appends_timestamp_and_sign():
    post = logic.dingtalk_request("https://oapi.dingtalk.com/robot/send?access_token=t0k",
                                  MSG, secret="SECabc", timestamp_ms=1700000000000)
    query = parse_qs(urlsplit(post.url).query)
    assert query["access_token"] == ["t0k"] and query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [unquote_plus(logic.dingtalk_sign("SECabc", 1700000000000))]
    body = json.loads(post.body)
    assert body["msgtype"] == "markdown" and "[严重] 工单超时" in body["markdown"]["text"]


def test_feishu_sign_uses_the_string_as_the_key_over_an_empty_message():
    ts = 1599360473
    key = f"{ts}\nsecret".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert logic.feishu_sign("secret", ts) == expected
    body = json.loads(logic.feishu_request("https://x/hook/t", MSG, secret="secret",
                                           timestamp=ts, style="text").body)
    assert body["timestamp"] == str(ts) and body["sign"] == expected
    assert body["msg_type"] == "text" and body["content"]["text"].startswith("[严重] 工单超时")


def test_feishu_card_has_a_red_header_for_critical_and_a_button_for_the_link():
    card = json.loads(logic.feishu_request("https://x/hook/t", MSG).body)["card"]
    assert card["header"]["template"] == "red"
    assert card["elements"][1]["actions"][0]["url"] == MSG.link


def test_webhook_signature_covers_timestamp_and_body():
    post = logic.webhook_request("https://hooks.example/x", MSG, secret="s3", timestamp=1700)
    sig = post.headers[logic.SIGNATURE_HEADER]
    assert logic.verify_webhook_signature("s3", 1700, post.body, sig, now=1750)
    assert not logic.verify_webhook_signature("s3", 1700, post.body + b" ", sig, now=1750)
    assert not logic.verify_webhook_signature("s3", 1700, post.body, sig, now=9999)
    assert json.loads(post.body)["sent_at"] == "2025-01-02T03:04:05+00:00"


def test_wecom_markdown_fits_the_platform_limit():
    long = logic.Message(event="e", title="t", text="告" * 5000)
    content = json.loads(logic.wecom_request("https://x", long).body)["markdown"]["content"]
    assert len(content.encode()) <= 4000 and content.endswith("…")


def test_bot_url_from_a_bare_key_or_a_full_address_and_a_base_url():
    assert logic.bot_url("wecom", "k-123") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123")
    assert logic.bot_url("feishu", "tok", "http://127.0.0.1:9000/proxy/") == (
        "http://127.0.0.1:9000/proxy/open-apis/bot/v2/hook/tok")
    assert logic.bot_url("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=a",
                         "http://gw.hospital:8080") == (
        "http://gw.hospital:8080/robot/send?access_token=a")


def test_check_response_reads_each_platforms_code():
    ok = logic.check_response("wecom", 200, b'{"errcode":0,"errmsg":"ok"}')
    assert ok.ok
    bad = logic.check_response("dingtalk", 200, b'{"errcode":310000,"errmsg":"sign not match"}')
    assert not bad.ok and bad.summary == "error 310000: sign not match"
    assert logic.check_response("feishu", 200, b'{"code":0,"msg":"success"}').ok
    assert logic.check_response("feishu", 200, b'{"StatusCode":0,"StatusMessage":"ok"}').ok
    assert not logic.check_response("feishu", 200, b'{"code":19021,"msg":"sign match fail"}').ok
    assert not logic.check_response("wecom", 200, b"<html>proxy</html>").ok
    assert not logic.check_response("webhook", 502, b"bad gateway").ok
    assert logic.check_response("webhook", 204, b"").ok


def test_email_message_encodes_chinese_and_has_an_html_part():
    mail = logic.email_message(MSG, from_address="a@h.example", to=["b@h.example"])
    assert mail["Subject"] == "[CareOps] [严重] 工单超时"
    assert "机房温度" in mail.get_body(("plain",)).get_content()
    assert "&lt;" not in mail.get_body(("html",)).get_content()


def test_validators():
    assert logic.is_email("noc@hospital.example") and not logic.is_email("noc@")
    assert logic.is_http_url("https://a.example:8443/x") and not logic.is_http_url("ftp://a")
    assert not logic.is_http_url("http://a:99999/")
    assert logic.is_mobile("13800138000") and not logic.is_mobile("call me")


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=4, max_size=4))
def test_backoff_grows_and_stays_within_the_jitter_band(jitters):
    delays = [logic.backoff_delay(n, j) for n, j in enumerate(jitters, start=1)]
    assert all(d is not None for d in delays)
    assert delays == sorted(delays) and len(set(delays)) == len(delays)
    for d, nominal in zip(delays, logic.BACKOFF_SCHEDULE, strict=True):
        assert nominal * 0.9 <= d <= nominal * 1.1


@given(st.integers(min_value=-3, max_value=100), st.floats(allow_nan=False))
def test_backoff_is_bounded_and_ends(failures, jitter):
    delay = logic.backoff_delay(failures, jitter)
    if 1 <= failures <= len(logic.BACKOFF_SCHEDULE):
        assert delay is not None and 0 < delay <= max(logic.BACKOFF_SCHEDULE) * 1.1
    else:
        assert delay is None


@given(st.text(), st.integers(min_value=4, max_value=200))
def test_truncate_utf8_never_exceeds_the_limit(text, limit):
    cut = logic.truncate_utf8(text, limit)
    assert len(cut.encode("utf-8")) <= limit
    assert cut == text or cut.endswith("…")
