"""Row history (R-OPS-2): event tables of money, people and API clients, written by triggers.

First the hash-chain function every event table's ``audit_chain`` trigger calls (see
marketplace.audit.tracking): SHA-256 of the previous event's hash and the event row as JSON
(its own hash and nulls left out), always rendered in UTC so a session's time zone can't change
it. PostgreSQL only, like the triggers themselves.
"""

import django.contrib.auth.validators
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import django_fsm
import pghistory.utils
import pgtrigger.compiler
import pgtrigger.migrations
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


CHAIN_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_hash(prev text, rec anyelement) RETURNS text
LANGUAGE sql STABLE SET TimeZone TO 'UTC' AS $$
    SELECT encode(
        sha256(convert_to(coalesce(prev, '') || jsonb_strip_nulls(to_jsonb(rec) - 'pgh_hash')::text, 'UTF8')),
        'hex'
    )
$$;
"""


def chain_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHAIN_FUNCTION)


def drop_chain_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_chain_hash(text, anyelement)")


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0005_integration_clients_events_external_ids'),
    ]

    operations = [
        migrations.RunPython(chain_function, drop_chain_function),
        migrations.CreateModel(
            name='ApiClientEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('account', models.SlugField(blank=True, db_index=False, help_text='Clients of one account share its data; empty is the default account.', verbose_name='account')),
                ('scopes', models.JSONField(blank=True, default=list, verbose_name='scopes')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('rate_limit_per_minute', models.PositiveIntegerField(default=600, verbose_name='requests per minute')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ApiKeyEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('prefix', models.CharField(max_length=16)),
                ('hashed_key', models.CharField(max_length=128)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='EscrowHoldEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('currency', models.CharField(choices=[('USD', 'USD'), ('EUR', 'EUR'), ('RUB', 'RUB')], max_length=3)),
                ('held', models.DecimalField(decimal_places=2, max_digits=12)),
                ('released', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=12)),
                ('refunded', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Refunded out of escrow.', max_digits=12)),
                ('refunded_by_seller', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text="Refunded from the seller's balance after escrow was settled.", max_digits=12)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('settled_at', models.DateTimeField(blank=True, null=True)),
                ('resolution_key', models.CharField(blank=True, max_length=200)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='LedgerEntryEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('kind', models.CharField(choices=[('hold', 'Held in escrow'), ('release', 'Released to seller'), ('refund', 'Refunded to buyer'), ('penalty', 'Seller penalty')], max_length=10)),
                ('source', models.CharField(choices=[('buyer_payment', "Buyer's payment"), ('escrow', 'Escrow'), ('seller_balance', "Seller's balance")], max_length=20)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12)),
                ('currency', models.CharField(choices=[('USD', 'USD'), ('EUR', 'EUR'), ('RUB', 'RUB')], max_length=3)),
                ('reason', models.CharField(max_length=500)),
                ('idempotency_key', models.CharField(max_length=200)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='OrderEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('state', django_fsm.FSMField(choices=[('paid', 'Paid, awaiting shipment'), ('shipped', 'In transit'), ('delivered', 'Delivered'), ('confirmed', 'Receipt confirmed'), ('disputed', 'In dispute'), ('completed', 'Completed')], default='paid', max_length=50, protected=True)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='amount paid')),
                ('currency', models.CharField(choices=[('USD', 'USD'), ('EUR', 'EUR'), ('RUB', 'RUB')], max_length=3)),
                ('protection_deadline', models.DateTimeField(blank=True, null=True)),
                ('dispute_deadline', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RefundEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('amount', models.DecimalField(decimal_places=2, max_digits=12)),
                ('currency', models.CharField(choices=[('USD', 'USD'), ('EUR', 'EUR'), ('RUB', 'RUB')], max_length=3)),
                ('source', models.CharField(choices=[('escrow', 'Escrow'), ('seller_balance', "Seller's balance")], default='escrow', max_length=20)),
                ('destination', models.CharField(max_length=100, verbose_name='paid to')),
                ('state', django_fsm.FSMField(choices=[('pending', 'Pending'), ('sent', 'Sent to the payment provider'), ('completed', 'Paid'), ('failed', 'Payout failed')], default='pending', max_length=50, protected=True)),
                ('idempotency_key', models.CharField(max_length=200)),
                ('reason', models.CharField(max_length=500)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('due_at', models.DateTimeField()),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('payout_reference', models.CharField(blank=True, max_length=100)),
                ('via_gateway', models.BooleanField(default=False, help_text='Sent through the payment gateway.')),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('failed_at', models.DateTimeField(blank=True, null=True)),
                ('failure_reason', models.CharField(blank=True, max_length=500)),
                ('overdue_flagged_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='UserEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('pgh_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('pgh_context', pghistory.utils.JSONField(null=True)),
                ('pgh_context_id', models.UUIDField(null=True)),
                ('id', models.BigIntegerField()),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('username', models.CharField(error_messages={'unique': 'A user with that username already exists.'}, help_text='Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.', max_length=150, validators=[django.contrib.auth.validators.UnicodeUsernameValidator()], verbose_name='username')),
                ('first_name', models.CharField(blank=True, max_length=150, verbose_name='first name')),
                ('last_name', models.CharField(blank=True, max_length=150, verbose_name='last name')),
                ('email', models.EmailField(blank=True, max_length=254, verbose_name='email address')),
                ('is_staff', models.BooleanField(default=False, help_text='Designates whether the user can log into this admin site.', verbose_name='staff status')),
                ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                ('date_joined', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date joined')),
                ('preferred_language', models.CharField(choices=[('en', 'English'), ('ru', 'Russian')], default='en', max_length=8, verbose_name='language')),
                ('is_system', models.BooleanField(default=False, help_text="The scheduler: not a person, can't log in.")),
                ('return_address', models.TextField(blank=True, help_text='Sellers: where buyers send returns.', verbose_name='default return address')),
                ('account', models.SlugField(blank=True, db_default='', db_index=False, default='')),
                ('external_id', models.CharField(blank=True, db_default='', default='', max_length=100, verbose_name='marketplace id')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AlterModelOptions(
            name='user',
            options={'permissions': [('reset_second_factor', "Can reset another person's second factor")], 'verbose_name': 'user', 'verbose_name_plural': 'users'},
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apiclient',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_apiclientevent" ("account", "created_at", "id", "is_active", "name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "rate_limit_per_minute", "scopes") VALUES (NEW."account", NEW."created_at", NEW."id", NEW."is_active", NEW."name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."rate_limit_per_minute", NEW."scopes"); RETURN NULL;', hash='38245354b75ffcbdaa68239e044cbeac51f4b751', operation='INSERT', pgid='pgtrigger_insert_insert_efed4', table='marketplace_apiclient', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apiclient',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "marketplace_apiclientevent" ("account", "created_at", "id", "is_active", "name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "rate_limit_per_minute", "scopes") VALUES (NEW."account", NEW."created_at", NEW."id", NEW."is_active", NEW."name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."rate_limit_per_minute", NEW."scopes"); RETURN NULL;', hash='4b5607c5d2abe4f4195aeff4c0abad293d034a70', operation='UPDATE', pgid='pgtrigger_update_update_559e2', table='marketplace_apiclient', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apiclient',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_apiclientevent" ("account", "created_at", "id", "is_active", "name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "rate_limit_per_minute", "scopes") VALUES (OLD."account", OLD."created_at", OLD."id", OLD."is_active", OLD."name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', OLD."id", OLD."rate_limit_per_minute", OLD."scopes"); RETURN NULL;', hash='846320615eb46f47e83cfdc3ea15e1782659f5dc', operation='DELETE', pgid='pgtrigger_delete_delete_d06f9', table='marketplace_apiclient', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apikey',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_apikeyevent" ("client_id", "created_at", "hashed_key", "id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "prefix", "revoked_at") VALUES (NEW."client_id", NEW."created_at", NEW."hashed_key", NEW."id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."prefix", NEW."revoked_at"); RETURN NULL;', hash='ebb0d82cfb548fbb68fe406fbc320c12c88bb5a6', operation='INSERT', pgid='pgtrigger_insert_insert_4b50e', table='marketplace_apikey', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apikey',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."client_id" IS DISTINCT FROM (NEW."client_id") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."hashed_key" IS DISTINCT FROM (NEW."hashed_key") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."prefix" IS DISTINCT FROM (NEW."prefix") OR OLD."revoked_at" IS DISTINCT FROM (NEW."revoked_at"))', func='INSERT INTO "marketplace_apikeyevent" ("client_id", "created_at", "hashed_key", "id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "prefix", "revoked_at") VALUES (NEW."client_id", NEW."created_at", NEW."hashed_key", NEW."id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."prefix", NEW."revoked_at"); RETURN NULL;', hash='4c2d87a0ca218cd3e931ebe447ade542817cb0a3', operation='UPDATE', pgid='pgtrigger_update_update_5a1af', table='marketplace_apikey', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apikey',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_apikeyevent" ("client_id", "created_at", "hashed_key", "id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "prefix", "revoked_at") VALUES (OLD."client_id", OLD."created_at", OLD."hashed_key", OLD."id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', OLD."id", OLD."prefix", OLD."revoked_at"); RETURN NULL;', hash='2db538b0364d292f1cca9073d6f524c3a448101b', operation='DELETE', pgid='pgtrigger_delete_delete_fc772', table='marketplace_apikey', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='escrowhold',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_escrowholdevent" ("created_at", "currency", "held", "id", "order_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunded", "refunded_by_seller", "released", "resolution_key", "settled_at") VALUES (NEW."created_at", NEW."currency", NEW."held", NEW."id", NEW."order_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."refunded", NEW."refunded_by_seller", NEW."released", NEW."resolution_key", NEW."settled_at"); RETURN NULL;', hash='444f23b45cae428d8ebaff5f5e39689acf09ebe9', operation='INSERT', pgid='pgtrigger_insert_insert_f8f77', table='marketplace_escrowhold', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='escrowhold',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "marketplace_escrowholdevent" ("created_at", "currency", "held", "id", "order_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunded", "refunded_by_seller", "released", "resolution_key", "settled_at") VALUES (NEW."created_at", NEW."currency", NEW."held", NEW."id", NEW."order_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."refunded", NEW."refunded_by_seller", NEW."released", NEW."resolution_key", NEW."settled_at"); RETURN NULL;', hash='147c41843c00f31bff62d2ecfff4aa694b310473', operation='UPDATE', pgid='pgtrigger_update_update_a3291', table='marketplace_escrowhold', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='escrowhold',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_escrowholdevent" ("created_at", "currency", "held", "id", "order_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refunded", "refunded_by_seller", "released", "resolution_key", "settled_at") VALUES (OLD."created_at", OLD."currency", OLD."held", OLD."id", OLD."order_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', OLD."id", OLD."refunded", OLD."refunded_by_seller", OLD."released", OLD."resolution_key", OLD."settled_at"); RETURN NULL;', hash='134cf58ef860cb7f27145b5eeeb50932fc4af6ff', operation='DELETE', pgid='pgtrigger_delete_delete_15240', table='marketplace_escrowhold', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentry',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_ledgerentryevent" ("actor_id", "amount", "created_at", "currency", "id", "idempotency_key", "kind", "order_id", "party_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "refund_id", "source") VALUES (NEW."actor_id", NEW."amount", NEW."created_at", NEW."currency", NEW."id", NEW."idempotency_key", NEW."kind", NEW."order_id", NEW."party_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."reason", NEW."refund_id", NEW."source"); RETURN NULL;', hash='dee70c1144da4684cc0dfdf9224015968a341690', operation='INSERT', pgid='pgtrigger_insert_insert_d6125', table='marketplace_ledgerentry', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentry',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "marketplace_ledgerentryevent" ("actor_id", "amount", "created_at", "currency", "id", "idempotency_key", "kind", "order_id", "party_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "refund_id", "source") VALUES (NEW."actor_id", NEW."amount", NEW."created_at", NEW."currency", NEW."id", NEW."idempotency_key", NEW."kind", NEW."order_id", NEW."party_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."reason", NEW."refund_id", NEW."source"); RETURN NULL;', hash='7e68f0e35be6aa45f60efd6003476acf3c5b1bd9', operation='UPDATE', pgid='pgtrigger_update_update_df3ad', table='marketplace_ledgerentry', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentry',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_ledgerentryevent" ("actor_id", "amount", "created_at", "currency", "id", "idempotency_key", "kind", "order_id", "party_id", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "refund_id", "source") VALUES (OLD."actor_id", OLD."amount", OLD."created_at", OLD."currency", OLD."id", OLD."idempotency_key", OLD."kind", OLD."order_id", OLD."party_id", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', OLD."id", OLD."reason", OLD."refund_id", OLD."source"); RETURN NULL;', hash='6a75bc2b842b4f8fb1d69fd84cd18afdd1bc1b12', operation='DELETE', pgid='pgtrigger_delete_delete_ad1f7', table='marketplace_ledgerentry', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='order',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_orderevent" ("amount", "buyer_id", "currency", "dispute_deadline", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "protection_deadline", "seller_id", "state") VALUES (NEW."amount", NEW."buyer_id", NEW."currency", NEW."dispute_deadline", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."protection_deadline", NEW."seller_id", NEW."state"); RETURN NULL;', hash='e320b11d47a97d5ce8eeb224aaee59572003a380', operation='INSERT', pgid='pgtrigger_insert_insert_7525b', table='marketplace_order', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='order',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."amount" IS DISTINCT FROM (NEW."amount") OR OLD."buyer_id" IS DISTINCT FROM (NEW."buyer_id") OR OLD."currency" IS DISTINCT FROM (NEW."currency") OR OLD."dispute_deadline" IS DISTINCT FROM (NEW."dispute_deadline") OR OLD."protection_deadline" IS DISTINCT FROM (NEW."protection_deadline") OR OLD."seller_id" IS DISTINCT FROM (NEW."seller_id") OR OLD."state" IS DISTINCT FROM (NEW."state"))', func='INSERT INTO "marketplace_orderevent" ("amount", "buyer_id", "currency", "dispute_deadline", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "protection_deadline", "seller_id", "state") VALUES (NEW."amount", NEW."buyer_id", NEW."currency", NEW."dispute_deadline", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."protection_deadline", NEW."seller_id", NEW."state"); RETURN NULL;', hash='8d64a0fb23302060b2f246fa8bd047e4deff6160', operation='UPDATE', pgid='pgtrigger_update_update_24502', table='marketplace_order', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='order',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_orderevent" ("amount", "buyer_id", "currency", "dispute_deadline", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "protection_deadline", "seller_id", "state") VALUES (OLD."amount", OLD."buyer_id", OLD."currency", OLD."dispute_deadline", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', OLD."id", OLD."protection_deadline", OLD."seller_id", OLD."state"); RETURN NULL;', hash='0d4ddfdd94f7dc16e73d4d56e794c6104aff89f6', operation='DELETE', pgid='pgtrigger_delete_delete_46726', table='marketplace_order', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='refund',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_refundevent" ("amount", "attempts", "completed_at", "created_at", "created_by_id", "currency", "destination", "due_at", "failed_at", "failure_reason", "id", "idempotency_key", "order_id", "overdue_flagged_at", "payout_reference", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "sent_at", "source", "state", "via_gateway") VALUES (NEW."amount", NEW."attempts", NEW."completed_at", NEW."created_at", NEW."created_by_id", NEW."currency", NEW."destination", NEW."due_at", NEW."failed_at", NEW."failure_reason", NEW."id", NEW."idempotency_key", NEW."order_id", NEW."overdue_flagged_at", NEW."payout_reference", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."reason", NEW."sent_at", NEW."source", NEW."state", NEW."via_gateway"); RETURN NULL;', hash='74841e342cd494e1bd08c6ec565a8e2a9e3d9ec7', operation='INSERT', pgid='pgtrigger_insert_insert_7d40d', table='marketplace_refund', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='refund',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "marketplace_refundevent" ("amount", "attempts", "completed_at", "created_at", "created_by_id", "currency", "destination", "due_at", "failed_at", "failure_reason", "id", "idempotency_key", "order_id", "overdue_flagged_at", "payout_reference", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "sent_at", "source", "state", "via_gateway") VALUES (NEW."amount", NEW."attempts", NEW."completed_at", NEW."created_at", NEW."created_by_id", NEW."currency", NEW."destination", NEW."due_at", NEW."failed_at", NEW."failure_reason", NEW."id", NEW."idempotency_key", NEW."order_id", NEW."overdue_flagged_at", NEW."payout_reference", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."reason", NEW."sent_at", NEW."source", NEW."state", NEW."via_gateway"); RETURN NULL;', hash='27ef29f15039f912f584698954bb4cd087133d4c', operation='UPDATE', pgid='pgtrigger_update_update_37a04', table='marketplace_refund', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='refund',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_refundevent" ("amount", "attempts", "completed_at", "created_at", "created_by_id", "currency", "destination", "due_at", "failed_at", "failure_reason", "id", "idempotency_key", "order_id", "overdue_flagged_at", "payout_reference", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "sent_at", "source", "state", "via_gateway") VALUES (OLD."amount", OLD."attempts", OLD."completed_at", OLD."created_at", OLD."created_by_id", OLD."currency", OLD."destination", OLD."due_at", OLD."failed_at", OLD."failure_reason", OLD."id", OLD."idempotency_key", OLD."order_id", OLD."overdue_flagged_at", OLD."payout_reference", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', OLD."id", OLD."reason", OLD."sent_at", OLD."source", OLD."state", OLD."via_gateway"); RETURN NULL;', hash='7761089f20d20f47aa64a2c5abcaa44fa3355811', operation='DELETE', pgid='pgtrigger_delete_delete_ae20a', table='marketplace_refund', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='user',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_userevent" ("account", "date_joined", "email", "external_id", "first_name", "id", "is_active", "is_staff", "is_superuser", "is_system", "last_name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "preferred_language", "return_address", "username") VALUES (NEW."account", NEW."date_joined", NEW."email", NEW."external_id", NEW."first_name", NEW."id", NEW."is_active", NEW."is_staff", NEW."is_superuser", NEW."is_system", NEW."last_name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'insert\', NEW."id", NEW."preferred_language", NEW."return_address", NEW."username"); RETURN NULL;', hash='3af9d0f80da4be93181d0bf7ea42d8fc9a9ed5f1', operation='INSERT', pgid='pgtrigger_insert_insert_9f25a', table='marketplace_user', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='user',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."account" IS DISTINCT FROM (NEW."account") OR OLD."date_joined" IS DISTINCT FROM (NEW."date_joined") OR OLD."email" IS DISTINCT FROM (NEW."email") OR OLD."external_id" IS DISTINCT FROM (NEW."external_id") OR OLD."first_name" IS DISTINCT FROM (NEW."first_name") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."is_active" IS DISTINCT FROM (NEW."is_active") OR OLD."is_staff" IS DISTINCT FROM (NEW."is_staff") OR OLD."is_superuser" IS DISTINCT FROM (NEW."is_superuser") OR OLD."is_system" IS DISTINCT FROM (NEW."is_system") OR OLD."last_name" IS DISTINCT FROM (NEW."last_name") OR OLD."preferred_language" IS DISTINCT FROM (NEW."preferred_language") OR OLD."return_address" IS DISTINCT FROM (NEW."return_address") OR OLD."username" IS DISTINCT FROM (NEW."username"))', func='INSERT INTO "marketplace_userevent" ("account", "date_joined", "email", "external_id", "first_name", "id", "is_active", "is_staff", "is_superuser", "is_system", "last_name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "preferred_language", "return_address", "username") VALUES (NEW."account", NEW."date_joined", NEW."email", NEW."external_id", NEW."first_name", NEW."id", NEW."is_active", NEW."is_staff", NEW."is_superuser", NEW."is_system", NEW."last_name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'update\', NEW."id", NEW."preferred_language", NEW."return_address", NEW."username"); RETURN NULL;', hash='3bb3a61bc4907eec3ca559b274168ffe153fab05', operation='UPDATE', pgid='pgtrigger_update_update_a9512', table='marketplace_user', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='user',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_userevent" ("account", "date_joined", "email", "external_id", "first_name", "id", "is_active", "is_staff", "is_superuser", "is_system", "last_name", "pgh_context", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "preferred_language", "return_address", "username") VALUES (OLD."account", OLD."date_joined", OLD."email", OLD."external_id", OLD."first_name", OLD."id", OLD."is_active", OLD."is_staff", OLD."is_superuser", OLD."is_system", OLD."last_name", COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_metadata\', TRUE), \'\'), NULL)::JSONB, COALESCE(NULLIF(CURRENT_SETTING(\'pghistory.context_id\', TRUE), \'\'), NULL)::UUID, NOW(), \'delete\', OLD."id", OLD."preferred_language", OLD."return_address", OLD."username"); RETURN NULL;', hash='c7480a043d8049146697b7879156b585912e19a3', operation='DELETE', pgid='pgtrigger_delete_delete_32968', table='marketplace_user', when='AFTER')),
        ),
        migrations.AddField(
            model_name='apiclientevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='chained_events', to='marketplace.apiclient'),
        ),
        migrations.AddField(
            model_name='apikeyevent',
            name='client',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='marketplace.apiclient'),
        ),
        migrations.AddField(
            model_name='apikeyevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='chained_events', to='marketplace.apikey'),
        ),
        migrations.AddField(
            model_name='escrowholdevent',
            name='order',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='marketplace.order'),
        ),
        migrations.AddField(
            model_name='escrowholdevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='chained_events', to='marketplace.escrowhold'),
        ),
        migrations.AddField(
            model_name='ledgerentryevent',
            name='actor',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='ledgerentryevent',
            name='order',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='marketplace.order'),
        ),
        migrations.AddField(
            model_name='ledgerentryevent',
            name='party',
            field=models.ForeignKey(db_constraint=False, help_text='Whose money: the buyer for holds and refunds, the seller for releases and penalties.', on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='ledgerentryevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='chained_events', to='marketplace.ledgerentry'),
        ),
        migrations.AddField(
            model_name='ledgerentryevent',
            name='refund',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='marketplace.refund'),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='buyer',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='state_amount_currency_buyer_seller_protection_deadline_dispute_deadline_chained_events', to='marketplace.order'),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='seller',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='refundevent',
            name='created_by',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='refundevent',
            name='order',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='marketplace.order'),
        ),
        migrations.AddField(
            model_name='refundevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='chained_events', to='marketplace.refund'),
        ),
        migrations.AddField(
            model_name='userevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='chained_events', to=settings.AUTH_USER_MODEL),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apiclientevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_chain', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.pgh_hash := audit_chain_hash((SELECT "pgh_hash" FROM "marketplace_apiclientevent" WHERE "pgh_obj_id" = NEW."pgh_obj_id" ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;', hash='05f8535be0588bcbd3dc4f2a59a12d0ad4907d38', operation='INSERT', pgid='pgtrigger_audit_chain_66fd9', table='marketplace_apiclientevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apiclientevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='750e7a8c70a54150ea9d6cfcbb4959651395e575', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_0d45c', table='marketplace_apiclientevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apikeyevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_chain', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.pgh_hash := audit_chain_hash((SELECT "pgh_hash" FROM "marketplace_apikeyevent" WHERE "pgh_obj_id" = NEW."pgh_obj_id" ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;', hash='963a4ed0d42bd6538d53c89b06dbf703ff23d3e6', operation='INSERT', pgid='pgtrigger_audit_chain_51961', table='marketplace_apikeyevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='apikeyevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='115a4fe679ff28e0c7b9b3c9dd65c036c83bf1a0', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_dce14', table='marketplace_apikeyevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='escrowholdevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_chain', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.pgh_hash := audit_chain_hash((SELECT "pgh_hash" FROM "marketplace_escrowholdevent" WHERE "pgh_obj_id" = NEW."pgh_obj_id" ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;', hash='c12f53fb7e7f8bdc84be88626ff437865336fcd8', operation='INSERT', pgid='pgtrigger_audit_chain_91f36', table='marketplace_escrowholdevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='escrowholdevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='0df18c2bd3da2760ebe489e43008083422fc26ca', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_dfd72', table='marketplace_escrowholdevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentryevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_chain', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.pgh_hash := audit_chain_hash((SELECT "pgh_hash" FROM "marketplace_ledgerentryevent" WHERE "pgh_obj_id" = NEW."pgh_obj_id" ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;', hash='ed0692c5b7cc4d2eca3e76c0653029c8d56c66f3', operation='INSERT', pgid='pgtrigger_audit_chain_45926', table='marketplace_ledgerentryevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='ledgerentryevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='39424929a6002892897d50d0559dadad5406e52c', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_03b20', table='marketplace_ledgerentryevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='orderevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_chain', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.pgh_hash := audit_chain_hash((SELECT "pgh_hash" FROM "marketplace_orderevent" WHERE "pgh_obj_id" = NEW."pgh_obj_id" ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;', hash='16f88fef3325080e34a1758a12e2949264af647a', operation='INSERT', pgid='pgtrigger_audit_chain_80423', table='marketplace_orderevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='orderevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='c8e7d5f2c60a10e043d63529dc8ba8afc0478026', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_9423c', table='marketplace_orderevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='refundevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_chain', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.pgh_hash := audit_chain_hash((SELECT "pgh_hash" FROM "marketplace_refundevent" WHERE "pgh_obj_id" = NEW."pgh_obj_id" ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;', hash='d21e5b536547c15c0db82bb6996395858e77a9fa', operation='INSERT', pgid='pgtrigger_audit_chain_29a66', table='marketplace_refundevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='refundevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='c55833bf477089dfe98ab2e6405c1651785f6741', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_fd133', table='marketplace_refundevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='userevent',
            trigger=pgtrigger.compiler.Trigger(name='audit_chain', sql=pgtrigger.compiler.UpsertTriggerSql(func='NEW.pgh_hash := audit_chain_hash((SELECT "pgh_hash" FROM "marketplace_userevent" WHERE "pgh_obj_id" = NEW."pgh_obj_id" ORDER BY "pgh_id" DESC LIMIT 1), NEW); RETURN NEW;', hash='d4976f915edcff5e1e73d4d539087a7723413629', operation='INSERT', pgid='pgtrigger_audit_chain_7dc9d', table='marketplace_userevent', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='userevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='2c9b08047e0aa818bbe025ec7b8b0aee8856c8a5', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_0bca7', table='marketplace_userevent', when='BEFORE')),
        ),
    ]
