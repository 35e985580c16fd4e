"""GET /kb/doctors?ids=...: many doctors (with their clinics' settings) in one request, as batch jobs
such as the reminders pass need them; a bounded list, and a clear 4xx for anything else."""

from __future__ import annotations

import pytest

from shared.routes import MAX_DOCTOR_IDS


def _ids(system, clinic: str) -> list[int]:
    return [doctor["id"] for doctor in system.internal("GET", f"/kb/clinics/{clinic}/doctors").get_json()]


def test_doctors_come_in_the_order_asked_each_once_unknown_ones_left_out(system):
    riverside, harbor = _ids(system, "riverside"), _ids(system, "harbor-dental")
    asked = [harbor[0], riverside[1], 999_999, riverside[0], harbor[0]]
    response = system.internal("GET", "/kb/doctors", query_string={"ids": ",".join(map(str, asked))})
    assert response.status_code == 200
    body = response.get_json()
    assert [doctor["id"] for doctor in body] == [harbor[0], riverside[1], riverside[0]]
    assert [doctor["clinic"]["slug"] for doctor in body] == ["harbor-dental", "riverside", "riverside"]
    assert body[2] == system.internal("GET", f"/kb/doctors/{riverside[0]}").get_json()


def test_a_full_batch_is_accepted(system):
    ids = ",".join(str(number) for number in range(1, MAX_DOCTOR_IDS + 1))
    response = system.internal("GET", "/kb/doctors", query_string={"ids": ids})
    assert response.status_code == 200
    every_doctor = set(_ids(system, "riverside") + _ids(system, "harbor-dental"))
    assert {doctor["id"] for doctor in response.get_json()} == every_doctor


@pytest.mark.parametrize("query", [
    {}, {"ids": ""}, {"ids": " , "}, {"ids": "1,two"}, {"ids": "0"}, {"ids": "-4"}, {"ids": "1.5"},
    {"ids": str(2**31)}, {"ids": ",".join(str(number) for number in range(1, MAX_DOCTOR_IDS + 2))},
])
def test_bad_ids_get_a_422_with_a_message(system, query):
    response = system.internal("GET", "/kb/doctors", query_string=query)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed" and all(field.startswith("ids") for field in body["fields"])
    assert body["message"].startswith("ids")


def test_the_service_token_is_required(system):
    assert system.internal("GET", "/kb/doctors", token=None, query_string={"ids": "1"}).status_code == 401
