"""Test mail as Chinese mail clients write it (GB2312 labels over GB18030 text)."""

from __future__ import annotations

import base64
from email.message import EmailMessage

NOW_ISO = "2026-03-02T10:00:00+08:00"


def encoded_word(text: str, label: str = "GB2312", codec: str = "gb18030") -> str:
    return f"=?{label}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def gb_mail(subject: str, body: str, *, sender: str = "Charlie.Zhang@Hospital.example",
            name: str = "张查理", message_id: str = "<m1@client.example>",
            in_reply_to: str | None = None, references: str | None = None,
            extra: str = "") -> bytes:
    """A plain-text mail labelled GB2312 whose subject and body are GB18030."""
    headers = [
        f"From: {encoded_word(name)} <{sender}>",
        "To: helpdesk@hospital.example",
        f"Subject: {encoded_word(subject)}",
        f"Message-ID: {message_id}",
        "Date: Mon, 02 Mar 2026 10:00:00 +0800",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=GB2312",
        "Content-Transfer-Encoding: base64",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    if references:
        headers.append(f"References: {references}")
    if extra:
        headers.append(extra)
    payload = base64.encodebytes(body.encode("gb18030")).decode()
    return ("\r\n".join(headers) + "\r\n\r\n" + payload.replace("\n", "\r\n")).encode()


def mail_with_files(subject: str, body: str, files: list[tuple[str, bytes]], *,
                    sender: str = "charlie.zhang@hospital.example",
                    message_id: str = "<files@client.example>") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "helpdesk@hospital.example"
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg.set_content(body)
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream",
                           filename=name)
    return msg.as_bytes()
