"""The pure mail reading (careops.logic.mail): charsets, HTML, quotes, threading keys."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careops.logic import mail as logic

# Characters a GB18030 text may hold (CJK, the supplementary plane, ASCII, punctuation).
gb_text = st.text(alphabet=st.characters(codec="gb18030", exclude_categories=("Cs", "Cc")),
                  min_size=1, max_size=60)


@given(gb_text, st.sampled_from(["GB2312", "gbk", "GB18030", "cp936"]))
def test_gb_labels_are_read_as_gb18030(text, label):
    assert logic.decode_bytes(text.encode("gb18030"), label) == text


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60))
def test_undeclared_utf8_is_read_as_utf8(text):
    assert logic.decode_bytes(text.encode("utf-8"), None) == text


@given(gb_text)
def test_an_encoded_subject_labelled_gb2312_decodes(text):
    word = f"=?GB2312?B?{base64.b64encode(text.encode('gb18030')).decode()}?="
    assert logic.decode_header_value(word) == " ".join(text.split())


def test_raw_8bit_gbk_headers_are_guessed():
    msg = logic.parse(b"From: \xd5\xc5\xc8\xfd <a@b.example>\r\nSubject: \xb4\xf2\xd3\xa1"
                      b"\xbb\xfa\r\n\r\nbody")
    assert (msg.sender_name, msg.subject) == ("张三", "打印机")


def test_unknown_charsets_fall_back_instead_of_failing():
    assert logic.decode_bytes("检验".encode(), "x-no-such-charset") == "检验"


@given(st.text(alphabet=st.characters(exclude_characters="<>&", exclude_categories=("Cs",)),
               max_size=40))
def test_html_text_without_markup_survives(text):
    assert logic.html_to_text(f"<p>{text}</p>") == "\n".join(
        " ".join(line.split()) for line in text.split("\n")).strip() or not text.strip()


def test_html_to_text_drops_scripts_and_styles():
    text = logic.html_to_text("<html><head><style>p{color:red}</style></head><body>"
                              "<p>第一行&amp;</p><script>alert(1)</script><div>第二行</div>")
    assert text == "第一行&\n\n第二行"


@given(st.lists(st.text(alphabet="甲乙丙 abc", min_size=1, max_size=10), min_size=1,
                max_size=5))
def test_stripping_quotes_never_empties_a_message(lines):
    text = "\n".join(lines)
    result = logic.strip_quoted(text)
    assert result.strip() or not text.strip()


@pytest.mark.parametrize("head", ["-----原始邮件-----", "------------------ 原始邮件 "
                                  "------------------", "-----Original Message-----",
                                  "On Mon, 2 Mar 2026 at 10:00, 服务台 <a@b> wrote:",
                                  "在 2026年3月2日 10:00，服务台 写道：", "发件人: 服务台",
                                  "From: helpdesk@hospital.example"])
def test_it_cuts_the_quoted_history_of_common_clients(head):
    assert logic.strip_quoted(f"已经好了\n\n{head}\n旧内容\n> 更旧") == "已经好了"


@given(st.text(max_size=30), st.text(max_size=30), st.integers(0, 999999))
def test_a_ticket_number_in_brackets_is_found_anywhere(before, after, n):
    number = f"INC-2026-{n:06d}"
    assert number in logic.ticket_numbers(f"{before}[{number}]{after}")


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)
               .filter(lambda c: c not in '&"\\'), max_size=20))
def test_ascii_folder_names_are_only_quoted(name):
    assert logic.imap_folder(name) == f'"{name}"'


def test_non_ascii_folder_names_use_modified_utf7():
    assert logic.imap_folder("Entwürfe") == '"Entw&APw-rfe"'
    assert logic.imap_folder("服务台 & 工单").isascii()


def test_thread_ids_put_the_nearest_first():
    msg = logic.parse(b"From: a@b.example\r\nIn-Reply-To: <c@x>\r\n"
                      b"References: <a@x> <b@x> <c@x>\r\n\r\nhi")
    assert msg.thread_ids == ("<c@x>", "<b@x>", "<a@x>")


def test_a_message_without_an_id_gets_a_stable_one():
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\nhi"
    assert logic.parse(raw).message_id == logic.parse(raw).message_id
    assert logic.parse(raw).message_id != logic.parse(raw + b"!").message_id


def test_an_html_only_mail_becomes_text_and_files_are_kept():
    msg = EmailMessage()
    msg["From"] = "护士站 <nurse@hospital.example>"
    msg["Subject"] = "叫号屏黑屏"
    msg.set_content("<p>三楼<b>叫号屏</b>黑屏</p>", subtype="html")
    msg.add_attachment(b"PNG", maintype="image", subtype="png", filename="屏幕.png")
    inner = EmailMessage()
    inner["From"] = "x@y.example"
    inner.set_content("转发的旧邮件正文")
    msg.add_attachment(inner)
    parsed = logic.parse(msg.as_bytes())
    assert parsed.body == "三楼叫号屏黑屏"
    assert [a.name for a in parsed.attachments] == ["屏幕.png", "message.eml"]
    assert "转发的旧邮件正文" not in parsed.body


def test_automatic_mail_is_flagged():
    assert logic.parse(b"From: a@b.example\r\nAuto-Submitted: auto-replied\r\n\r\nx").automatic
    assert logic.parse(b"From: MAILER-DAEMON@b.example\r\n\r\nx").automatic
    assert not logic.parse(b"From: a@b.example\r\nAuto-Submitted: no\r\n\r\nx").automatic


@pytest.mark.parametrize("raw", [b"", b"just some words\r\n", b"Subject: no sender\r\n\r\nx"])
def test_unreadable_messages_raise_with_a_reason(raw):
    with pytest.raises(logic.MailParseError):
        logic.parse(raw)
