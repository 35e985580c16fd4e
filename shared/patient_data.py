"""Patient data at rest: the one owner of how names, phone numbers, e-mail addresses and addresses are
stored. Each value is encrypted (AES-256-GCM: authenticated, bound to its table and column) under a
data key whose id is stored with it, so keys rotate without a flag day; phone numbers are looked up by
a keyed hash of the E.164 number (HMAC-SHA256, a "blind index") kept in a column of its own.

Stored forms:
    value  "pd1:<data key id>:<base64url(12-byte nonce | ciphertext | 16-byte tag)>"
    index  "<index key id>:<hex HMAC-SHA256 of the value>"

Keys come from settings: PATIENT_DATA_KEYS and PATIENT_INDEX_KEYS are JSON objects of key id -> key
(base64 of 32 bytes), PATIENT_DATA_KEY_ID / PATIENT_INDEX_KEY_ID name the ones new values use. In
production the keys are data keys wrapped by AWS KMS (PATIENT_DATA_KMS_KEY_ID names the KMS key): each
is unwrapped once, with kms:Decrypt, when a service starts. Outside production, with no keys set, one
pair is generated into LOCAL_DATA_DIR on first use (`make run`, tests), next to the data it protects.

Services read and write plain values: the column types below encrypt on the way in and decrypt on the
way out with the process's keyring (`activate`, called by the app factories of the services whose
tables hold patient data). `rewrite_table` brings stored rows to the current keys in batches (the
0015 migration, and `python -m tools.manage reencrypt` after a rotation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import MetaData, String, Text, and_, column, event, not_, or_, select, table, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter, ClauseElement, ColumnElement
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

FORMAT = "pd1"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
KEY_BYTES = 32
NONCE_BYTES = 12
# KMS encryption contexts: a wrapped data key unwraps only as what it was made for.
DATA_PURPOSE = "receptionist-patient-data"
INDEX_PURPOSE = "receptionist-patient-index"
LOCAL_KEY_FILE = "patient-data-keys.json"
LOCAL_KEY_ID = "local1"


class PatientDataError(Exception):
    """A stored value that cannot be read: altered, moved from another column, or under an unknown key."""


class KeyConfigError(ValueError):
    """Patient data keys missing or malformed in the settings."""


class Keyring:
    """The data keys (AES-256-GCM) and index keys (HMAC-SHA256) of this process, each under its id."""

    def __init__(self, data_keys: Mapping[str, bytes], data_key_id: str, index_keys: Mapping[str, bytes],
                 index_key_id: str):
        for name, keys, current in (("data", data_keys, data_key_id), ("index", index_keys, index_key_id)):
            if current not in keys:
                raise KeyConfigError(f"the current {name} key {current!r} is not among the {name} keys")
            for key_id, key in keys.items():
                if not KEY_ID.match(key_id) or len(key) != KEY_BYTES:
                    raise KeyConfigError(f"{name} key {key_id!r}: ids are 1-16 of A-Z a-z 0-9 _ -, "
                                         f"keys {KEY_BYTES} bytes")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in data_keys.items()}
        self._index_keys = dict(index_keys)
        self.data_key_id = data_key_id
        self.index_key_id = index_key_id

    @property
    def value_prefix(self) -> str:
        """How every value under the current data key begins."""
        return f"{FORMAT}:{self.data_key_id}:"

    @property
    def index_prefix(self) -> str:
        """How every blind index under the current index key begins."""
        return f"{self.index_key_id}:"

    def encrypt(self, plaintext: str, context: str) -> str:
        """`plaintext` sealed under the current data key, bound to `context` (its table and column)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.data_key_id].encrypt(nonce, plaintext.encode(), _aad(context))
        return self.value_prefix + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def decrypt(self, stored: str, context: str) -> str:
        """The plain value of a stored one; PatientDataError when it was altered, comes from another
        column or is under a key this process does not have."""
        version, _, rest = stored.partition(":")
        key_id, _, body = rest.partition(":")
        if version != FORMAT or not body:
            raise PatientDataError(f"{context}: the stored value is not encrypted patient data "
                                   "(plain text left by an older release? run `python -m tools.manage reencrypt`)")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PatientDataError(f"{context}: the value is under data key {key_id!r}, "
                                   "which this process does not have")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(context)).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise PatientDataError(f"{context}: the value fails authentication "
                                   "(altered, or copied from another column)") from None

    def blind_index(self, value: str) -> str:
        """The keyed hash of a value under the current index key (what is stored)."""
        return self._index(self.index_key_id, value)

    def blind_indexes(self, value: str) -> list[str]:
        """The value's keyed hash under every index key, the current one first (what a lookup matches,
        so rows not yet re-indexed after a rotation are still found)."""
        others = sorted(set(self._index_keys) - {self.index_key_id})
        return [self._index(key_id, value) for key_id in (self.index_key_id, *others)]

    def _index(self, key_id: str, value: str) -> str:
        return f"{key_id}:" + hmac.new(self._index_keys[key_id], value.encode(), hashlib.sha256).hexdigest()


def _aad(context: str) -> bytes:
    return f"{FORMAT}|{context}".encode()


def new_key() -> bytes:
    """A fresh random key (for a data key or an index key)."""
    return os.urandom(KEY_BYTES)


def encode_key(key: bytes) -> str:
    """A key (or a KMS-wrapped key) as it is written in settings: standard base64."""
    return base64.b64encode(key).decode()


def _decode_key(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{what} is not base64") from None


def _decoded(keys: Mapping[str, str], what: str) -> dict[str, bytes]:
    return {key_id: _decode_key(text, f"{what} key {key_id!r}") for key_id, text in keys.items()}


def _parse_keys(value: str, name: str) -> dict[str, str]:
    try:
        keys = json.loads(value)
    except ValueError:
        raise KeyConfigError(f"{name} must be a JSON object of key id -> base64 key") from None
    if not isinstance(keys, dict) or not keys or not all(isinstance(item, str) for item in keys.values()):
        raise KeyConfigError(f"{name} must be a non-empty JSON object of key id -> base64 key")
    return keys


def _current(keys: Mapping[str, Any], chosen: str | None, name: str) -> str:
    if chosen:
        return chosen
    if len(keys) == 1:
        return next(iter(keys))
    raise KeyConfigError(f"{name} names several keys: set {name.removesuffix('S')}_ID to the one new values use")


def _unwrap(kms, blob: str, key_id: str, purpose: str, kms_key_id: str) -> bytes:
    """A data key unwrapped by KMS (it was made by GenerateDataKey with the same encryption context)."""
    answer = kms.decrypt(CiphertextBlob=_decode_key(blob, f"wrapped key {key_id!r}"), KeyId=kms_key_id,
                         EncryptionContext={"purpose": purpose, "key_id": key_id})
    return answer["Plaintext"]


def wrap_new_key(kms, kms_key_id: str, key_id: str, *, index: bool) -> str:
    """A new data key made by KMS, wrapped (base64 of the CiphertextBlob), to add to the settings."""
    answer = kms.generate_data_key(KeyId=kms_key_id, KeySpec="AES_256", EncryptionContext={
        "purpose": INDEX_PURPOSE if index else DATA_PURPOSE, "key_id": key_id})
    return encode_key(answer["CiphertextBlob"])


_loaded: dict[tuple, Keyring] = {}
_loading = threading.Lock()


def keyring_from(settings, *, kms=None) -> Keyring:
    """The keyring the settings describe (unwrapped with KMS when PATIENT_DATA_KMS_KEY_ID is set), or
    outside production without keys, the local generated one; the same settings give the same
    keyring without asking KMS again."""
    data, index = settings.patient_data_keys, settings.patient_index_keys
    production = settings.environment == "production"
    if data is None and index is None:
        if production:
            raise KeyConfigError("PATIENT_DATA_KEYS and PATIENT_INDEX_KEYS must be set in production")
        return local_keyring(Path(settings.local_data_dir))
    if data is None or index is None:
        raise KeyConfigError("set both PATIENT_DATA_KEYS and PATIENT_INDEX_KEYS, or neither (local mode)")
    kms_key_id = settings.patient_data_kms_key_id
    if production and not kms_key_id:
        raise KeyConfigError("in production the keys must be wrapped by KMS: set PATIENT_DATA_KMS_KEY_ID")
    cache_key = (data.get_secret_value(), index.get_secret_value(), settings.patient_data_key_id,
                 settings.patient_index_key_id, kms_key_id)
    with _loading:
        if cache_key not in _loaded:
            _loaded[cache_key] = _build(settings, cache_key, kms)
        return _loaded[cache_key]


def _build(settings, cache_key: tuple, kms) -> Keyring:
    data_text, index_text, data_id, index_id, kms_key_id = cache_key
    data = _parse_keys(data_text, "PATIENT_DATA_KEYS")
    index = _parse_keys(index_text, "PATIENT_INDEX_KEYS")
    if kms_key_id:
        if kms is None:
            import boto3

            kms = boto3.client("kms", region_name=settings.aws_region)
        open_data = {key_id: _unwrap(kms, blob, key_id, DATA_PURPOSE, kms_key_id) for key_id, blob in data.items()}
        open_index = {key_id: _unwrap(kms, blob, key_id, INDEX_PURPOSE, kms_key_id) for key_id, blob in index.items()}
    else:
        open_data, open_index = _decoded(data, "data"), _decoded(index, "index")
    return Keyring(open_data, _current(data, data_id, "PATIENT_DATA_KEYS"),
                   open_index, _current(index, index_id, "PATIENT_INDEX_KEYS"))


def local_keyring(folder: Path) -> Keyring:
    """The local mode's keys, generated into `folder` on first use (readable by this user only)."""
    path = folder / LOCAL_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        keys = {"data_keys": {LOCAL_KEY_ID: encode_key(new_key())}, "data_key_id": LOCAL_KEY_ID,
                "index_keys": {LOCAL_KEY_ID: encode_key(new_key())}, "index_key_id": LOCAL_KEY_ID}
        draft = folder / f".{LOCAL_KEY_FILE}.{os.getpid()}.{threading.get_ident()}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            json.dump(keys, file)
        try:
            os.link(draft, path)  # whole or not at all: processes starting together all read one file
        except FileExistsError:
            pass  # another process wrote it first; read theirs
        finally:
            draft.unlink()
    stored = json.loads(path.read_text())
    return Keyring(_decoded(stored["data_keys"], "data"), stored["data_key_id"],
                   _decoded(stored["index_keys"], "index"), stored["index_key_id"])


_active: Keyring | None = None


def activate(keyring: Keyring) -> Keyring:
    """Make `keyring` the one this process encrypts, decrypts and hashes with."""
    global _active
    _active = keyring
    return keyring


def active() -> Keyring:
    """This process's keyring: the one activated by a service's app factory, else the settings' own."""
    if _active is None:
        from shared.settings import CommonSettings

        return activate(keyring_from(CommonSettings()))
    return _active


def blind_index(value: str | None) -> str | None:
    """The stored keyed hash of a value (None for None)."""
    return None if value is None else active().blind_index(value)


def matches(index_column, value: str) -> ColumnElement[bool]:
    """The condition that finds rows whose blind index is that of `value`, under any index key."""
    hashes = active().blind_indexes(value)
    return index_column == hashes[0] if len(hashes) == 1 else index_column.in_(hashes)


class Encrypted(TypeDecorator):
    """A column of patient data: plain `str` in Python, encrypted in the database. `context` is
    "<table>.<column>" (a value copied into another column does not decrypt); `blind_index` names the
    column that keeps the value's keyed hash, for lookups (see `keep_blind_indexes`)."""

    impl = String
    cache_ok = True

    class Comparator(TypeDecorator.Comparator):
        """Refuses comparing the column with a value in SQL: equal values have different ciphertexts, so
        such a comparison would never match (a lookup must use the blind index)."""

        def operate(self, op, *other, **kwargs):
            """Comparisons with NULL or with other columns pass (the ORM compares columns); with values, TypeError."""
            if any(item is not None and (isinstance(item, BindParameter) or not isinstance(item, ClauseElement))
                   for item in other):
                raise TypeError("an encrypted column cannot be compared with a value in SQL; "
                                "look values up by their blind index")
            return super().operate(op, *other, **kwargs)

    comparator_factory = Comparator

    def __init__(self, context: str, blind_index: str | None = None):
        super().__init__()
        self.context = context
        self.blind_index = blind_index

    def process_bind_param(self, value: Any, dialect) -> str | None:
        """Encrypt on the way in."""
        return None if value is None else active().encrypt(self.dump(value), self.context)

    def process_result_value(self, value: str | None, dialect) -> Any:
        """Decrypt on the way out."""
        return None if value is None else self.load(active().decrypt(value, self.context))

    def dump(self, value: Any) -> str:
        """The value as the text that is encrypted."""
        return value

    def load(self, text: str) -> Any:
        """The value from its decrypted text."""
        return text


class EncryptedText(Encrypted):
    """Patient data in a column declared TEXT (an address, a text's body)."""

    impl = Text
    cache_ok = True


class EncryptedJSON(EncryptedText):
    """A JSON document holding patient data, encrypted whole."""

    cache_ok = True

    def dump(self, value: Any) -> str:
        """JSON text."""
        return json.dumps(value, separators=(",", ":"))

    def load(self, text: str) -> Any:
        """Parsed JSON."""
        return json.loads(text)


def keep_blind_indexes(model: Any) -> None:
    """Keep each blind index column of `model` equal to the keyed hash of the value it indexes, from
    the moment the value is set (so lookups find a row in the same transaction that wrote it)."""
    for mapped in model.__table__.columns:
        if isinstance(mapped.type, Encrypted) and mapped.type.blind_index:
            event.listen(getattr(model, mapped.key), "set", _indexer(mapped.type.blind_index))


def _indexer(target: str) -> Callable:
    def set_index(instance, value, _old, _initiator):
        setattr(instance, target, blind_index(value))

    return set_index


@dataclass(frozen=True)
class EncryptedTable:
    """Where a table keeps patient data: its primary key, its encrypted columns (each with the context
    it is bound to) and its blind indexes (index column -> the encrypted column it hashes)."""

    name: str
    key: str
    columns: Mapping[str, str]
    indexes: Mapping[str, str] = field(default_factory=dict)


def encrypted_tables(metadata: MetaData) -> list[EncryptedTable]:
    """Every table of the models that holds encrypted columns, as `rewrite_table` takes it."""
    found = []
    for model_table in metadata.sorted_tables:
        encrypted = [(item.name, item.type) for item in model_table.columns if isinstance(item.type, Encrypted)]
        if encrypted:
            [key] = model_table.primary_key.columns
            found.append(EncryptedTable(
                model_table.name, key.name, {name: kind.context for name, kind in encrypted},
                {kind.blind_index: name for name, kind in encrypted if kind.blind_index}))
    return found


def rewrite_table(begin: Callable[[], AbstractContextManager[Connection]], spec: EncryptedTable, keyring: Keyring, *,
                  to_plain: bool = False, batch_size: int = 500) -> int:
    """Bring a table's rows to the current keys: values in plain text or under another data key are
    encrypted under the current one, blind indexes recomputed under the current index key; or, with
    `to_plain`, every value decrypted (a migration's downgrade). One transaction per batch (`begin`
    opens it); rows already as wanted are skipped, so an interrupted run resumes where it stopped.
    A row the application changed in the meantime is left as it wrote it. Returns the rows rewritten."""
    raw = table(spec.name, column(spec.key), *(column(name) for name in (*spec.columns, *spec.indexes)))
    stale = _plain_rows(raw, spec) if to_plain else _stale_rows(raw, spec, keyring)
    rewritten, after = 0, None
    while True:
        with begin() as connection:
            query = select(raw).where(stale).order_by(raw.c[spec.key]).limit(batch_size)
            rows = connection.execute(query if after is None else query.where(raw.c[spec.key] > after)).mappings().all()
            for row in rows:
                changes = _converted(dict(row), spec, keyring, to_plain)
                if changes:
                    kept = and_(raw.c[spec.key] == row[spec.key],
                                *(raw.c[name].is_not_distinct_from(row[name]) for name in changes))
                    rewritten += connection.execute(update(raw).where(kept).values(changes)).rowcount
        if len(rows) < batch_size:
            return rewritten
        after = rows[-1][spec.key]


def _stale_rows(raw, spec: EncryptedTable, keyring: Keyring) -> ColumnElement[bool]:
    values = [and_(raw.c[name].is_not(None), not_(raw.c[name].startswith(keyring.value_prefix, autoescape=True)))
              for name in spec.columns]
    indexes = [and_(raw.c[source].is_not(None),
                    or_(raw.c[name].is_(None), not_(raw.c[name].startswith(keyring.index_prefix, autoescape=True))))
               for name, source in spec.indexes.items()]
    return or_(*values, *indexes)


def _plain_rows(raw, spec: EncryptedTable) -> ColumnElement[bool]:
    return or_(*(raw.c[name].startswith(f"{FORMAT}:") for name in spec.columns))


def _reencrypted(stored: str | None, plain: str | None, context: str, keyring: Keyring) -> str | None:
    """The stored value under the current data key (kept when it already is)."""
    if stored is None or plain is None or stored.startswith(keyring.value_prefix):
        return stored
    return keyring.encrypt(plain, context)


def _reindexed(plain: str | None, keyring: Keyring) -> str | None:
    return None if plain is None else keyring.blind_index(plain)


def _converted(row: Mapping[str, Any], spec: EncryptedTable, keyring: Keyring, to_plain: bool) -> dict[str, Any]:
    """The columns of one row that change, with their new stored values."""
    plain = {name: _plain(row[name], context, keyring) for name, context in spec.columns.items()}
    if to_plain:
        wanted = plain
    else:
        wanted = {name: _reencrypted(row[name], plain[name], spec.columns[name], keyring) for name in spec.columns}
        wanted.update({name: _reindexed(plain[source], keyring) for name, source in spec.indexes.items()})
    return {name: value for name, value in wanted.items() if value != row[name]}


def _plain(stored: str | None, context: str, keyring: Keyring) -> str | None:
    """A stored value in plain text: decrypted, or as it is when an older release wrote it unencrypted."""
    if stored is None or not stored.startswith(f"{FORMAT}:"):
        return stored
    return keyring.decrypt(stored, context)
