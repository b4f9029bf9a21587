"""The testers' driver (``omsdesktop_app``) itself: its errors say what went wrong, a form typed
from the keyboard only is saved and sent to the fixture's own sandbox, and the confirmation box
the window shows for fields with errors is answered, not left hanging."""

from __future__ import annotations

import pytest

from omsdesktop.storage.model import DRAFT_FIELDS
from omsdesktop.ui.driver import (
    DocumentNotReadError,
    DriverError,
    SubmitError,
    UnknownFieldError,
)
from tests.docgen import generate_certificate, generate_policy


@pytest.fixture
def app(omsdesktop_app, leak_check):
    leak_check.pools.append(omsdesktop_app.window.pool)
    return omsdesktop_app


def test_errors_name_the_key_and_the_document(app, documents):
    with pytest.raises(UnknownFieldError) as unknown:
        app.field("child.surname")
    assert isinstance(unknown.value, KeyError)
    assert "'child.surname'" in str(unknown.value)
    assert all(key in str(unknown.value) for key in DRAFT_FIELDS)  # the known keys, listed
    with pytest.raises(UnknownFieldError):
        app.set_field("surname", "Иванов")

    with pytest.raises(DriverError, match="nothing to wait for"):
        app.wait_until_read()
    with pytest.raises(DriverError, match="submit"):
        app.status()

    # A file that is not an image: raised as soon as the slot shows its message.
    app.load_certificate(documents.unreadable)
    with pytest.raises(DocumentNotReadError) as unreadable:
        app.wait_until_read(timeout=60)
    message = str(unreadable.value)
    assert "birth certificate" in message and str(documents.unreadable) in message
    assert "slot shows" in message

    # A time-out names the document still being read (the job is cancelled at teardown).
    app.load_policy(documents.policy)
    with pytest.raises(DocumentNotReadError, match=r"OMS policy .* was not read within 0\.05 s"):
        app.wait_until_read(timeout=0.05)


def test_typed_application_confirm_box_save_submit_status(app):
    cert = generate_certificate(11).truth
    policy = generate_policy(11).truth
    values = {
        "child.last_name": cert["last_name"],
        "child.first_name": cert["first_name"],
        "child.patronymic": cert["patronymic"],
        "child.birth_date": cert["birth_date"],  # ISO: typed as ДД.ММ.ГГГГ
        "cert.series": cert["birth_certificate_series"],
        "cert.number": cert["birth_certificate_number"],
        "cert.issue_date": cert["birth_certificate_issue_date"],
        "policy.number": policy["policy_number"],
        "applicant.snils": "112-233-445 95",  # typed into the mask as digits
    }
    for key, value in values.items():
        assert app.set_field(key, value) == value
    assert app.shown("child.birth_date") == ".".join(reversed(cert["birth_date"].split("-")))
    assert app.set_field("policy.sex", "Ж") == "Ж"  # a list: moved with the arrow keys
    assert app.set_field("policy.sex", "мужской") == "М"  # or chosen by its shown name
    with pytest.raises(DriverError, match="choices"):
        app.set_field("policy.sex", "X")
    assert app.set_field("child.patronymic", "") == ""
    assert app.set_field("child.patronymic", cert["patronymic"]) == cert["patronymic"]
    draft_id = app.save_draft()
    assert draft_id

    # A birth date in the future: the window does not send it (it refuses invalid fields, or
    # asks «Отправить с ошибками?», which the driver answers «Нет» without confirm=True); the
    # error says why, with what the window shows.
    app.set_field("child.birth_date", "2099-01-01")
    assert app.needs_review("child.birth_date")
    with pytest.raises(SubmitError) as refused:
        app.submit()
    assert "Дата рождения" in str(refused.value) or "confirm=True" in str(refused.value)
    assert not app.sandbox.state.applications  # nothing was sent

    # Corrected, it goes through; the fixture's sandbox approves at once.
    app.set_field("child.birth_date", cert["birth_date"])
    sent = app.submit(app.sandbox_url)
    assert (sent.state, sent.portal_status) == ("sent", "approved")
    assert sent.request_number and sent.request_number in sent.panel_text
    assert len(app.sandbox.state.applications) == 1
    assert app.status().portal_status == "approved"
    assert app.save_draft.__doc__  # the draft stays the same one
    assert app.status().submission.draft_id == draft_id
