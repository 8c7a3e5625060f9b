"""R-OPS-2: changes to money, decisions, people, groups, patterns and keys keep a row history
written by the database — caught even for raw SQL — with the acting user or job; the history is
hash-chained and ``verify_audit`` reports the first broken link."""

from __future__ import annotations

import io
import threading

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, InternalError, connection, connections, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from marketplace.audit.models import AuditCheck, UserGroupProxy
from marketplace.audit.verify import audit_verify
from marketplace.models import Refund, User
from marketplace.scheduling import run_job
from marketplace.tasks import run_job_task
from tests.marketplace.factories import make_arbiter, make_buyer, make_seller, resolved_order
from tests.ops.otp import totp_device

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

RefundEvent = apps.get_model("marketplace", "RefundEvent")


@pytest.fixture
def refund(db) -> Refund:
    order = resolved_order(
        buyer=make_buyer(), seller=make_seller(), decided_by=make_arbiter(), refund_amount="40.00"
    )
    return Refund.objects.get(order=order)


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def behind_the_triggers(statement: str, params=()) -> None:
    """What a database superuser can do: run SQL with every trigger switched off."""
    with transaction.atomic():
        sql("SET LOCAL session_replication_role = replica")
        sql(statement, params)


def test_R_OPS_2_a_refund_changed_with_raw_sql_is_in_its_history(refund):
    sql("UPDATE marketplace_refund SET destination = %s WHERE id = %s", ["IBAN DE00 1234", refund.pk])
    latest = RefundEvent.objects.filter(pgh_obj_id=refund.pk).latest("pgh_id")
    assert latest.pgh_label == "update" and latest.destination == "IBAN DE00 1234"
    assert [e.pgh_label for e in RefundEvent.objects.filter(pgh_obj_id=refund.pk).order_by("pgh_id")] == [
        "insert",
        "update",
    ]
    assert len(latest.pgh_hash) == 64


def test_R_OPS_2_a_job_names_itself_on_the_rows_it_changes(refund):
    run_job_task.delay("dispatch_refunds")
    sent = RefundEvent.objects.filter(pgh_obj_id=refund.pk, state=Refund.State.SENT).get()
    assert sent.pgh_context["job"] == "dispatch_refunds"
    assert sent.pgh_context["task"] == "marketplace.tasks.run_job_task"


def test_R_OPS_2_a_request_names_its_user_on_the_rows_it_changes(staff, client):
    device = totp_device(staff.arbiter)
    client.force_login(staff.supervisor)
    client.post(reverse("second-factor-reset", args=[staff.arbiter.pk]), {"reason": "lost phone"})
    deleted = apps.get_model("audit", "TOTPDeviceEvent").objects.get(pgh_obj_id=device.pk, pgh_label="delete")
    assert deleted.pgh_context["user"] == staff.supervisor.pk
    assert deleted.pgh_context["url"] == reverse("second-factor-reset", args=[staff.arbiter.pk])


def test_R_OPS_2_group_membership_keeps_a_history(staff):
    staff.buyer.groups.add(Group.objects.get(name="Finance"))
    staff.buyer.groups.clear()
    events = UserGroupProxy.pgh_event_model.objects.filter(user=staff.buyer).order_by("pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "delete"]


def test_R_OPS_2_history_rows_refuse_update_and_delete(refund):
    with pytest.raises((InternalError, IntegrityError, DatabaseError)), transaction.atomic():
        sql("UPDATE marketplace_refundevent SET amount = 1 WHERE pgh_obj_id = %s", [refund.pk])
    with pytest.raises((InternalError, IntegrityError, DatabaseError)), transaction.atomic():
        sql("DELETE FROM marketplace_refundevent WHERE pgh_obj_id = %s", [refund.pk])


def test_R_OPS_2_verify_audit_is_clean_when_nothing_was_tampered_with(refund):
    sql("UPDATE marketplace_refund SET destination = %s WHERE id = %s", ["other", refund.pk])
    outcome = audit_verify()
    assert outcome.problems == [] and outcome.events_checked > 0


def test_R_OPS_2_an_audit_row_edited_in_sql_is_reported_by_verify_audit(refund, settings):
    settings.STAFF_ALERT_EMAILS = ["security@marketplace.example"]
    run_job("verify_audit")
    first = RefundEvent.objects.filter(pgh_obj_id=refund.pk).earliest("pgh_id")
    behind_the_triggers("UPDATE marketplace_refundevent SET amount = 4000 WHERE pgh_id = %s", [first.pgh_id])

    result = run_job("verify_audit")

    check = AuditCheck.objects.latest("started_at")
    # The edited event breaks its link, and (being the latest) no longer matches the live refund.
    assert [p["kind"] for p in check.problems] == ["chain", "changed"] and "2 problems" in result.summary()
    problem = check.problems[0]
    assert (problem["table"], problem["kind"], problem["event_id"]) == (
        "marketplace_refundevent",
        "chain",
        first.pgh_id,
    )
    assert len(mail.outbox) == 1 and f"event {first.pgh_id}" in mail.outbox[0].body


def test_R_OPS_2_a_deleted_audit_row_breaks_the_next_link(refund):
    sql("UPDATE marketplace_refund SET destination = %s WHERE id = %s", ["other", refund.pk])
    events = list(RefundEvent.objects.filter(pgh_obj_id=refund.pk).order_by("pgh_id"))
    behind_the_triggers("DELETE FROM marketplace_refundevent WHERE pgh_id = %s", [events[0].pgh_id])
    problems = audit_verify().problems
    assert [(p.kind, p.event_id) for p in problems] == [("chain", events[1].pgh_id)]


def test_R_OPS_2_a_row_changed_with_the_triggers_off_differs_from_its_history(refund):
    behind_the_triggers("UPDATE marketplace_refund SET amount = 39 WHERE id = %s", [refund.pk])
    problems = audit_verify().problems
    assert [(p.table, p.kind, p.object_id) for p in problems] == [
        ("marketplace_refundevent", "changed", str(refund.pk))
    ]


def test_R_OPS_2_a_whole_history_deleted_after_a_check_is_found_by_the_next(refund):
    run_job("verify_audit")
    behind_the_triggers("DELETE FROM marketplace_refundevent WHERE pgh_obj_id = %s", [refund.pk])
    run_job("verify_audit")
    kinds = {(p["table"], p["kind"]) for p in AuditCheck.objects.latest("started_at").problems}
    assert kinds == {("marketplace_refundevent", "events_deleted"), ("marketplace_refundevent", "no_history")}


@pytest.mark.django_db(transaction=True)
def test_R_OPS_2_concurrent_writers_keep_every_chain_whole():
    """Two transactions changing the same refund or the same membership table at once: the row
    lock (per-row chains) and the table's transaction lock (membership) serialise the links."""
    people = [User.objects.create_user(f"p{i}") for i in range(6)]
    group = Group.objects.create(name="Night shift")
    start = threading.Barrier(len(people))

    def join(user):
        try:
            start.wait()
            with transaction.atomic():
                user.groups.add(group)
                User.objects.filter(pk=people[0].pk).update(first_name=f"by {user.username}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=join, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert group.user_set.count() == len(people)
    assert audit_verify().problems == []


def test_R_OPS_2_after_a_reviewed_schema_change_a_table_is_resealed_and_checks_clean_again(refund):
    """A new column with a default changes old events' content; the reseal makes them whole."""
    behind_the_triggers("UPDATE marketplace_refundevent SET reason = reason || ' (migrated)'")
    assert [p.kind for p in audit_verify().problems][:1] == ["chain"]
    call_command("audit_reseal", "marketplace_refundevent", stdout=io.StringIO())
    assert [p for p in audit_verify().problems if p.kind == "chain"] == []


def _chained_per_object():
    from marketplace.audit.tracking import ChainedEvent

    return [
        model
        for model in apps.get_models()
        if issubclass(model, ChainedEvent) and any(f.name == "pgh_obj" for f in model._meta.fields)
    ]


def test_R_OPS_2_every_history_table_has_the_chain_lookups_index():
    """The chain trigger asks for the object's previous event on every insert. Without an (object,
    id) index PostgreSQL may walk the primary key backwards filtering on the object (a generic plan
    made while the table was small or without statistics does), so each insert reads the whole
    table: 40,000 ledger rows a second fell to 150 at 100,000 while loading a million orders."""
    models = _chained_per_object()
    assert len(models) >= 15
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [model._meta.db_table])
            definitions = [row[0] for row in cursor.fetchall()]

            assert any(d.endswith("(pgh_obj_id, pgh_id)") for d in definitions), (model.__name__, definitions)


def test_R_OPS_2_the_chain_lookup_is_one_index_step_on_a_big_history_table():
    """20,000 events of 5,000 groups, analysed: the trigger's lookup, planned generically as a cached
    trigger query is, reads the object's last event straight from the index — no filter over other
    objects' events, no sort of the object's events."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # setup rows, no triggers
        cursor.execute(
            "INSERT INTO audit_groupevent (pgh_created_at, pgh_label, pgh_hash, id, name, pgh_obj_id) "
            "SELECT now(), 'update', '', g % 5000 + 1, 'group ' || g, g % 5000 + 1 "
            "FROM generate_series(1, 20000) AS g"
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE audit_groupevent")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(
            "PREPARE previous_event(integer) AS SELECT pgh_hash FROM audit_groupevent "
            "WHERE pgh_obj_id = $1 ORDER BY pgh_id DESC LIMIT 1"
        )
        cursor.execute("EXPLAIN EXECUTE previous_event(1)")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE previous_event")

    assert "Index Scan Backward" in plan and "Index Cond: (pgh_obj_id = $1)" in plan, plan
    assert "Filter" not in plan and "Sort" not in plan, plan


def test_R_OPS_2_history_is_written_once_per_statement_one_event_per_changed_row(refund):
    """The event triggers run once per statement (``tracking.StatementEvent``): a statement that
    changes many rows writes one event for each row it changed, in its one transaction, and none
    for a row it matched but did not change."""
    other = Refund.objects.get(pk=refund.pk)
    other.pk = None
    other.idempotency_key = f"{refund.idempotency_key}:copy"
    other.save()
    before = RefundEvent.objects.count()
    sql(
        "UPDATE marketplace_refund SET destination = CASE WHEN id = %s THEN destination ELSE 'IBAN 2' END "
        "WHERE id IN (%s, %s)",
        [refund.pk, refund.pk, other.pk],
    )
    assert RefundEvent.objects.count() == before + 1
    assert RefundEvent.objects.filter(pgh_obj_id=other.pk).latest("pgh_id").destination == "IBAN 2"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'marketplace_refund' AND t.tgname LIKE 'pgtrigger_%%' "
            "AND t.tgtype & 1 = 1 AND NOT t.tgname LIKE '%%append_only%%'"
        )
        per_row = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = 'marketplace_refund' AND t.tgname LIKE 'pgtrigger_%%' AND t.tgtype & 1 = 0"
        )
        per_statement = cursor.fetchone()[0]
    assert (per_row, per_statement) == (0, 3), "the refund's insert, update and delete history triggers"
    assert audit_verify().problems == []


def test_R_OPS_2_the_chain_hash_is_the_same_in_any_session_time_zone(refund):
    """A session in another time zone writes and checks the same hashes: the chain renders rows in
    UTC whatever the session says (``audit_chain_text_utc``), so ``verify_audit`` stays clean."""
    with transaction.atomic():
        sql("SET LOCAL TimeZone = 'Asia/Vladivostok'")
        sql("UPDATE marketplace_refund SET destination = %s WHERE id = %s", ["IBAN 3", refund.pk])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT bool_and(ok), count(*) FROM (SELECT pgh_hash = audit_chain_hash("
                "lag(pgh_hash) OVER (ORDER BY pgh_id), e) AS ok FROM marketplace_refundevent e "
                "WHERE pgh_obj_id = %s) AS checked",
                [refund.pk],
            )
            all_match, events = cursor.fetchone()
    assert all_match and events >= 2
    assert audit_verify().problems == []


def test_R_OPS_2_the_chain_hash_is_inlined_into_the_trigger_query():
    """``audit_chain_hash`` is plain SQL the planner inlines (no ``SET`` clause, its subquery
    argument used once): called as the chain trigger calls it, the plan computes ``sha256`` itself
    instead of calling the function — a function call with a setting switched cost ~30 µs an event."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN VERBOSE SELECT audit_chain_hash((SELECT pgh_hash FROM audit_groupevent "
            "ORDER BY pgh_id DESC LIMIT 1), e) FROM audit_groupevent e"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sha256" in plan and "audit_chain_hash(" not in plan, plan


def test_R_OPS_2_the_triggers_ignore_switch_answers_as_pgtrigger_s_without_a_subtransaction(refund):
    """R-OPS-2: after migrate, ``_pgtrigger_should_ignore`` is one SQL expression (no PL/pgSQL
    exception block: a subtransaction for every row of every history trigger), giving pgtrigger's
    answers for a session that never set ``pgtrigger.ignore``, one that reset it, and one that
    lists the trigger or not; and ``pgtrigger.ignore()`` still switches an append-only trigger off."""
    import pgtrigger

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.lanname, p.prosrc FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
            " WHERE p.proname = '_pgtrigger_should_ignore'"
        )
        [(language, source)] = cursor.fetchall()
        assert language == "sql" and "EXCEPTION" not in source.upper()

        def ignored(name: str, setting: str | None) -> bool:
            with transaction.atomic():
                if setting is not None:
                    cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [setting])
                cursor.execute("SELECT public._pgtrigger_should_ignore(%s)", [name])
                return cursor.fetchone()[0]

        assert ignored("pgtrigger_audit_chain_1", None) is False
        assert ignored("pgtrigger_audit_chain_1", "") is False
        assert ignored("pgtrigger_audit_chain_1", "{pgtrigger_audit_chain_1,other}") is True
        assert ignored("pgtrigger_audit_chain_2", "{pgtrigger_audit_chain_1,other}") is False

    event = RefundEvent.objects.filter(pgh_obj_id=refund.pk).latest("pgh_id")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        sql("UPDATE marketplace_refundevent SET destination = 'x' WHERE pgh_id = %s", [event.pk])
    with transaction.atomic(), pgtrigger.ignore("marketplace.RefundEvent:append_only"):
        sql("UPDATE marketplace_refundevent SET destination = 'x' WHERE pgh_id = %s", [event.pk])
    assert RefundEvent.objects.get(pk=event.pk).destination == "x"
